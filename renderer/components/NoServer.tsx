// The empty state: no server answered, with discovery's advice on what to check.
export function NoServer({ advice, onOpenSettings }: { advice: string[]; onOpenSettings: () => void }) {
  return (
    <section class="empty">
      <h2>No Ollama server found</h2>
      {advice.length > 0 ? (
        <ul class="advice">
          {advice.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ul>
      ) : (
        <p>Nothing answered on this Mac or the local network.</p>
      )}
      <button type="button" onClick={onOpenSettings}>
        Add a server…
      </button>
    </section>
  );
}
