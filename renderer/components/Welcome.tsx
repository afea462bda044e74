export function Welcome({ onRun }: { onRun: () => void }) {
  return (
    <section class="empty">
      <h2>Which model runs best here?</h2>
      <p>
        A benchmark finds the Ollama servers you can reach, measures every model on each, and recommends one model per memory
        tier, from Tiny (under 2 GB) to XL (16 GB and up).
      </p>
      <button type="button" class="primary" onClick={onRun}>
        Run benchmark
      </button>
    </section>
  );
}
