// The measuring method's arithmetic: spreads, guards on the server's figures, flags, auto runs.
import { describe, expect, it } from 'vitest';
import { AUTO_RUNS_MAX, AUTO_RUNS_MIN, contentionFlags, needsAnotherRun, remainingKeepAlive } from '../main/core/benchmark/protocol.js';
import { clientTokensPerSec, decodeRate, interTokenGapsMs, prefillRate, serverTimings, type RunSample, type ServerTimings } from '../main/core/benchmark/run.js';
import { generateChunkSchema } from '../main/core/ollama/schemas.js';
import { quantile, spreadOf } from '../main/core/benchmark/stats.js';
import type { RunRecord } from '../main/core/report.js';

const server = (overrides: Partial<ServerTimings>): ServerTimings => ({
  totalNs: 2e9,
  loadNs: 3e6,
  promptEvalCount: 180,
  promptEvalNs: 60e6,
  evalCount: 100,
  evalNs: 2e9,
  ...overrides,
});
// 11 chunks 10 ms apart: 100 tokens/s on the client's clock.
const arrivals = Array.from({ length: 11 }, (_, i) => 50 + i * 10);

describe('spread', () => {
  it('gives median, IQR and CV, ignoring runs without the figure', () => {
    const spread = spreadOf([10, null, 12, 11, 13], 2);
    expect(spread.median).toBe(11.5);
    expect(spread.iqr).toBe(1.5);
    expect(spread.cv).toBeCloseTo(0.1123, 3);
    expect(spread.unstable).toBe(true);
  });

  it('calls tight runs stable and jitter under the noise floor stable', () => {
    expect(spreadOf([100, 101, 99], 1).unstable).toBe(false);
    expect(spreadOf([30, 36, 28], 1, 20).unstable).toBe(false);
    expect(spreadOf([300, 600, 280], 1, 20).unstable).toBe(true);
  });

  it('interpolates quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 0.99)).toBeCloseTo(91.81, 2);
  });
});

describe('decode rate', () => {
  it("trusts the server's eval_count / eval_duration", () => {
    expect(decodeRate(server({}), arrivals)).toEqual({ tokensPerSec: 50, tokensPerSecSource: 'server', note: null });
  });

  it.each([
    ['eval_count < 2', { evalCount: 1 }],
    ['zero eval_duration', { evalNs: 0 }],
    ['an absurd rate', { evalCount: 100, evalNs: 10 }],
  ])("falls back to the client's clock on %s, and says so", (_label, overrides) => {
    const rate = decodeRate(server(overrides), arrivals);
    expect(rate.tokensPerSecSource).toBe('client');
    expect(rate.tokensPerSec).toBeCloseTo(100, 6);
    expect(rate.note).toMatch(/client clock/);
  });

  it('has no rate at all with one chunk and no server figure', () => {
    expect(decodeRate(server({ evalCount: 0 }), [5])).toMatchObject({ tokensPerSec: null, tokensPerSecSource: 'none' });
    expect(clientTokensPerSec([])).toBeNull();
  });
});

describe('server figures', () => {
  it('ignores impossible ones, names them, and keeps the rest', () => {
    const chunk = generateChunkSchema.parse({ done: true, load_duration: 1e18, eval_count: 1, eval_duration: 0, total_duration: -5, prompt_eval_count: 12, prompt_eval_duration: 1.5 });
    const { timings, notes } = serverTimings(chunk);
    expect(timings).toEqual({ totalNs: 0, loadNs: 0, promptEvalCount: 12, promptEvalNs: 0, evalCount: 1, evalNs: 0 });
    expect(notes).toEqual([
      'server reported an impossible total_duration (-5); ignored',
      'server reported an impossible load_duration (1000000000000000000); ignored',
      'server reported an impossible prompt_eval_duration (1.5); ignored',
    ]);
    expect(decodeRate(timings, arrivals).tokensPerSecSource).toBe('client');
  });
});

describe('prefill rate', () => {
  it('is prompt_eval_count / prompt_eval_duration', () => {
    expect(prefillRate(server({})).rate).toBe(3000);
  });

  it('is n/a on a prompt-cache hit, where the figure is inflated', () => {
    expect(prefillRate(server({ promptEvalCount: 4000, promptEvalNs: 1e6 }))).toEqual({ rate: null, note: 'prompt cache hit: prefill n/a' });
    expect(prefillRate(server({ promptEvalNs: 0 })).rate).toBeNull();
  });
});

describe('inter-token gaps', () => {
  it('are sorted gaps between arrivals', () => {
    expect(interTokenGapsMs([0, 5, 7, 17])).toEqual([2, 5, 10]);
  });
});

function record(tokensPerSec: number, loadDurationNs = 2e6): RunRecord {
  return {
    client: { firstByteMs: 10, ttftMs: 10, ttftAnswerMs: 10, endMs: 1000, interTokenP50Ms: 10, interTokenP99Ms: 12, chunks: 100 },
    server: { totalDurationNs: 1e9, loadDurationNs, promptEvalCount: 100, promptEvalDurationNs: 1e7, evalCount: 100, evalDurationNs: 1e9 },
    tokensPerSec,
    tokensPerSecSource: 'server',
    prefillTokensPerSec: 1e4,
    overheadMs: 1,
    totalTokens: 100,
    doneReason: 'stop',
    quality: 0.9,
    notes: [],
  };
}

describe('flags', () => {
  it('raises none on clean runs', () => {
    expect(contentionFlags([record(50), record(51), record(50)], [], false)).toEqual({ flags: [], notes: [] });
  });

  it('flags contention when other models are loaded or a warm run waited', () => {
    expect(contentionFlags([record(50)], ['other:7b'], false).flags).toEqual(['contended']);
    const queued = contentionFlags([record(50), record(50, 900e6)], [], false);
    expect(queued.flags).toEqual(['contended']);
    expect(queued.notes[0]).toMatch(/waited 900 ms/);
  });

  it('suspects throttling when the last run is much slower than the first', () => {
    expect(contentionFlags([record(50), record(45), record(40)], [], false).flags).toEqual(['throttling?']);
  });

  it('marks unstable figures', () => {
    expect(contentionFlags([record(50)], [], true).flags).toEqual(['unstable']);
  });
});

describe('--runs auto', () => {
  const sample = (tokensPerSec: number) => ({ tokensPerSec }) as RunSample;

  it('runs at least the minimum, stops when the median settles, never exceeds the maximum', () => {
    expect(needsAnotherRun('auto', [sample(50), sample(50)])).toBe(true);
    expect(needsAnotherRun('auto', [sample(50), sample(50), sample(50)])).toBe(false);
    expect(needsAnotherRun('auto', [sample(40), sample(60), sample(45)])).toBe(true);
    const noisy = Array.from({ length: AUTO_RUNS_MAX }, (_, i) => sample(i % 2 === 0 ? 30 : 70 + i));
    expect(needsAnotherRun('auto', noisy)).toBe(false);
    expect(AUTO_RUNS_MIN).toBe(3);
  });

  it('runs exactly N when N is given', () => {
    expect(needsAnotherRun(2, [sample(1)])).toBe(true);
    expect(needsAnotherRun(2, [sample(1), sample(1)])).toBe(false);
  });
});

describe('restoring keep-alive', () => {
  const now = Date.parse('2026-12-04T20:00:00Z');
  it('gives back the time a model had left', () => {
    expect(remainingKeepAlive('2026-12-04T20:04:00.123456789Z', now)).toBe('240s');
    expect(remainingKeepAlive('2026-12-04T21:00:00+01:00', now)).toBe('1s');
  });

  it('keeps a model loaded forever when it was', () => {
    expect(remainingKeepAlive('2318-03-14T01:30:00.000000000+00:00', now)).toBe(-1);
  });
});
