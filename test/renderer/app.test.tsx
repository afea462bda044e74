// @vitest-environment happy-dom
// The popover's views under happy-dom, fed through a fake bridge: every state it can be in.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppState, LastRun } from '../../main/contract.js';
import type { Report } from '../../main/core/report.js';
import { App } from '../../renderer/components/App.js';
import { CONFIRMATION_MS } from '../../renderer/components/CopyButtons.js';
import { FakeBridge, IDLE } from './fake-bridge.js';
import { loadRecordedRun } from './recorded-run.js';

const recorded = loadRecordedRun();
const events = recorded.events.map((entry) => entry.event);
const [laptop, bigBox] = recorded.servers.map((server) => server.url.replace('http://', '')) as [string, string];
const report = (() => {
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('the recording must end with done');
  return done.report;
})();
const RUNNING: AppState = { status: 'running', events: [], last: null, crash: null };
const FIVE_MINUTES_LATER = Date.parse(report.finishedAt) + 5 * 60_000;
const lastRun = (over: Partial<LastRun> = {}): LastRun => ({ report, cancelled: false, advice: [], failedHosts: [], warnings: [], ...over });

async function show(bridge: FakeBridge) {
  const view = render(<App bridge={bridge} now={() => FIVE_MINUTES_LATER} />);
  await waitFor(() => expect(bridge.getState).toHaveBeenCalled());
  await act(async () => undefined);
  return view;
}

async function push(action: () => void) {
  await act(async () => action());
}

async function click(element: HTMLElement) {
  await act(async () => {
    fireEvent.click(element);
  });
}

afterEach(() => cleanup());

describe('the welcome, before any run', () => {
  it('explains what a run does and starts one from the keyboard-reachable button', async () => {
    const bridge = new FakeBridge(IDLE);
    await show(bridge);
    expect(screen.getByRole('heading', { name: 'Which model runs best here?' })).toBeTruthy();
    const runButtons = screen.getAllByRole('button', { name: 'Run benchmark' });
    expect(runButtons).toHaveLength(2);
    await click(runButtons[1] as HTMLElement);
    expect(bridge.start).toHaveBeenCalledTimes(1);
  });

  it('shows why a run could not start', async () => {
    const bridge = new FakeBridge(IDLE);
    bridge.start.mockResolvedValueOnce({ ok: false, reason: 'A benchmark is already running.' } as never);
    await show(bridge);
    await click(screen.getAllByRole('button', { name: 'Run benchmark' })[0] as HTMLElement);
    expect(screen.getByRole('alert').textContent).toBe('A benchmark is already running.');
  });
});

describe('a run in progress', () => {
  it('shows the phase, each server with its model, n of m and the live tokens/sec', async () => {
    const bridge = new FakeBridge(IDLE);
    await show(bridge);
    const cut = events.findIndex((event) => event.type === 'bench-done' && event.result.status === 'ok');
    await push(() => {
      bridge.push({ type: 'state', state: RUNNING });
      bridge.events(events.slice(0, cut));
    });
    expect(screen.getByText('Measure').getAttribute('aria-current')).toBe('step');
    const lastByHost = new Map<string, Extract<(typeof events)[number], { type: 'bench-progress' }>>();
    for (const event of events.slice(0, cut)) if (event.type === 'bench-progress') lastByHost.set(event.host, event);
    const cards = screen.getAllByRole('listitem').filter((item) => item.classList.contains('activity'));
    expect(cards).toHaveLength(2);
    for (const progress of lastByHost.values()) {
      const card = cards.find((item) => item.textContent?.includes(progress.host.replace('http://', '')));
      expect(card, progress.host).toBeDefined();
      const text = card?.textContent ?? '';
      expect(text).toContain(progress.model);
      expect(text).toContain(progress.tokensPerSec === null ? '–' : progress.tokensPerSec.toFixed(1));
      expect(text).toMatch(/\d of 5 models/);
    }
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
  });

  it('shows the sweep while discovery looks for servers', async () => {
    const bridge = new FakeBridge(RUNNING);
    await show(bridge);
    await push(() =>
      bridge.events([
        { type: 'phase', phase: 'discover' },
        { type: 'discovery-note', message: 'Sweeping 192.168.1.0/24 (254 addresses), one at a time.' },
        { type: 'scan-progress', network: '192.168.1.0/24', probed: 64, total: 254 },
      ]),
    );
    expect(screen.getByText('Sweeping 192.168.1.0/24 (254 addresses), one at a time.')).toBeTruthy();
    expect(screen.getByText(/Searching 192\.168\.1\.0\/24: 64 of 254/)).toBeTruthy();
  });

  it('stops on request and says it is stopping', async () => {
    const bridge = new FakeBridge(RUNNING);
    await show(bridge);
    await click(screen.getByRole('button', { name: 'Stop' }));
    expect(bridge.stop).toHaveBeenCalled();
    await push(() => bridge.push({ type: 'state', state: { ...RUNNING, status: 'stopping' } }));
    const button = screen.getByRole('button', { name: 'Stopping…' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
  });
});

describe('the results', () => {
  it('switch in when the done event arrives: one card per tier with model, host, tok/s, TTFT and score', async () => {
    const bridge = new FakeBridge(RUNNING);
    await show(bridge);
    await push(() => bridge.events(events));
    const tiers = screen.getAllByRole('listitem').filter((item) => item.classList.contains('tier'));
    expect(tiers.map((tier) => within(tier).getByRole('heading').textContent)).toEqual([
      'Tiny (<2 GB)',
      'Small (2-4 GB)',
      'Medium (4-8 GB)',
      'Large (8-16 GB)',
      'XL (16+ GB)',
    ]);
    const small = tiers[1] as HTMLElement;
    const qwen = report.results.find((result) => result.model === 'qwen3:4b');
    expect(within(small).getByText('qwen3:4b', { selector: '.pick' })).toBeTruthy();
    expect(small.textContent).toContain(laptop);
    expect(within(small).getByText(/tok\/s · TTFT/).textContent).toBe(
      `${qwen?.tokensPerSec?.toFixed(1)} tok/s · TTFT ${Math.round(qwen?.ttftMs ?? 0)} ms · score ${qwen?.score?.toFixed(1)}`,
    );
    expect((tiers[4] as HTMLElement).textContent).toContain(bigBox);
  });

  it('list the ranking on expand', async () => {
    await show(new FakeBridge({ ...IDLE, last: lastRun() }));
    const xl = screen.getAllByRole('listitem').filter((item) => item.classList.contains('tier'))[4] as HTMLElement;
    const ranking = within(xl).getByText('Ranking (2)').closest('details') as HTMLDetailsElement;
    expect(ranking.open).toBe(false);
    fireEvent.click(within(xl).getByText('Ranking (2)'));
    const rows = within(ranking).getAllByRole('listitem').map((row) => row.textContent);
    expect(rows).toEqual([`qwen3-coder:30b ${bigBox}60.0`, `llama3.3:70b ${bigBox}37.3`]);
  });

  it('list the failed and skipped models with their reasons', async () => {
    const failed = { ...report.results[0], model: 'broken:7b', status: 'failed', reason: 'HTTP 500: model runner has unexpectedly stopped' } as Report['results'][number];
    await show(new FakeBridge({ ...IDLE, last: lastRun({ report: { ...report, results: [...report.results, failed] } }) }));
    const details = screen.getByText('Failed and skipped (3)').closest('details') as HTMLElement;
    const text = details.textContent ?? '';
    expect(text).toContain('broken:7b');
    expect(text).toContain('HTTP 500: model runner has unexpectedly stopped');
    expect(text).toContain('nomic-embed-text:latest');
    expect(text).toContain('no completion capability (embedding)');
    expect(text).toContain('gpt-oss:120b-cloud');
    expect(text).toContain('cloud model: a prompt would run on ollama.com');
  });

  it('say when they were taken', async () => {
    await show(new FakeBridge({ ...IDLE, last: lastRun() }));
    const taken = screen.getByText('5 min ago');
    expect(taken.tagName).toBe('TIME');
    expect(taken.getAttribute('datetime')).toBe(report.finishedAt);
    expect(taken.parentElement?.textContent).toBe('Measured 5 min ago · 2 servers · 8 models');
  });

  it('say when the run was stopped before the end', async () => {
    await show(new FakeBridge({ ...IDLE, last: lastRun({ cancelled: true }) }));
    expect(screen.getByText(/Stopped before the end/)).toBeTruthy();
  });

  it('show the warnings and the servers that failed', async () => {
    await show(new FakeBridge({ ...IDLE, last: lastRun({ failedHosts: [{ url: 'http://10.0.0.9:11434', reason: 'HTTP 500 on /api/tags' }], warnings: ['could not unload m'] }) }));
    const warnings = screen.getByText('Warnings (2)').closest('details') as HTMLElement;
    expect(warnings.textContent).toContain('10.0.0.9:11434: HTTP 500 on /api/tags');
    expect(warnings.textContent).toContain('could not unload m');
  });
});

describe('copy', () => {
  it('copies the recommended model name through the bridge and confirms it', async () => {
    const bridge = new FakeBridge({ ...IDLE, last: lastRun() });
    await show(bridge);
    await click(screen.getByRole('button', { name: 'Copy qwen3:4b' }));
    expect(bridge.copy).toHaveBeenCalledWith({ host: recorded.servers[0]?.url, model: 'qwen3:4b', form: 'name' });
    expect(screen.getAllByRole('status').some((status) => status.textContent === 'Copied “qwen3:4b”')).toBe(true);
    await act(async () => new Promise((resolve) => setTimeout(resolve, CONFIRMATION_MS + 50)));
    expect(screen.getAllByRole('status').some((status) => status.textContent?.startsWith('Copied'))).toBe(false);
  });

  it('copies the run command as the second choice', async () => {
    const bridge = new FakeBridge({ ...IDLE, last: lastRun() });
    await show(bridge);
    await click(screen.getByRole('button', { name: 'Copy ollama run gpt-oss:20b' }));
    expect(bridge.copy).toHaveBeenCalledWith({ host: recorded.servers[1]?.url, model: 'gpt-oss:20b', form: 'run' });
    expect(screen.getAllByRole('status').some((status) => status.textContent === 'Copied “ollama run gpt-oss:20b”')).toBe(true);
  });

  it('shows why main refused to copy', async () => {
    const bridge = new FakeBridge({ ...IDLE, last: lastRun() });
    bridge.copyAnswer = () => ({ ok: false, reason: 'This model name has characters a shell would interpret, so it was not copied.' });
    await show(bridge);
    await click(screen.getByRole('button', { name: 'Copy llama3.2:1b' }));
    expect(screen.getAllByRole('status').some((status) => status.textContent?.startsWith('This model name has characters'))).toBe(true);
  });
});

describe('no server found', () => {
  it('shows the advice from discovery and offers to add a server', async () => {
    const empty: Report = { ...report, hosts: [], results: [], tiers: report.tiers.map((tier) => ({ ...tier, recommended: null, ranked: [] })) };
    const advice = ['No Ollama server answered on 192.168.1.0/24.', 'On the server, set OLLAMA_HOST=0.0.0.0 and restart Ollama.'];
    const bridge = new FakeBridge({ ...IDLE, last: lastRun({ report: empty, advice }) });
    await show(bridge);
    expect(screen.getByRole('heading', { name: 'No Ollama server found' })).toBeTruthy();
    expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual(advice);
    await click(screen.getByRole('button', { name: 'Add a server…' }));
    await waitFor(() => expect(screen.getByLabelText('Extra servers')).toBeTruthy());
  });
});

describe('settings', () => {
  it('load, edit and save through main', async () => {
    const bridge = new FakeBridge(IDLE);
    await show(bridge);
    await click(screen.getByRole('button', { name: 'Settings' }));
    await waitFor(() => expect(screen.getByLabelText('Extra servers')).toBeTruthy());
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Extra servers')));
    fireEvent.input(screen.getByLabelText('Extra servers'), { target: { value: '192.168.1.20\nstudio.local:11434, 10.0.0.2' } });
    fireEvent.change(screen.getByLabelText('Search the local network for servers'), { target: { checked: false } });
    fireEvent.input(screen.getByLabelText('Max tokens per run'), { target: { value: '128' } });
    fireEvent.input(screen.getByLabelText('Timed runs per model'), { target: { value: '2' } });
    await click(screen.getByRole('button', { name: 'Save' }));
    expect(bridge.setSettings).toHaveBeenCalledWith({
      extraHosts: ['192.168.1.20', 'studio.local:11434', '10.0.0.2'],
      scan: false,
      subnet: null,
      maxTokens: 128,
      runs: 2,
    });
    expect(screen.queryByLabelText('Extra servers')).toBeNull();
  });

  it('show main’s message next to each field it refused', async () => {
    const bridge = new FakeBridge(IDLE);
    bridge.settingsAnswer = { ok: false, errors: { subnet: '"10.0.0.0" is not an IPv4 range; write it as address/prefix, e.g. 192.168.1.0/24', runs: 'runs must be at least 1' } };
    await show(bridge);
    await click(screen.getByRole('button', { name: 'Settings' }));
    await waitFor(() => expect(screen.getByLabelText('Network to search')).toBeTruthy());
    await click(screen.getByRole('button', { name: 'Save' }));
    const subnet = screen.getByLabelText('Network to search');
    expect(subnet.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(subnet.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/is not an IPv4 range/);
    expect(screen.getByText('runs must be at least 1')).toBeTruthy();
    expect(screen.getByLabelText('Extra servers').getAttribute('aria-invalid')).toBe('false');
  });

  it('close without saving on Cancel', async () => {
    const bridge = new FakeBridge(IDLE);
    await show(bridge);
    await click(screen.getByRole('button', { name: 'Settings' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy());
    await click(screen.getByRole('button', { name: 'Cancel' }));
    expect(bridge.setSettings).not.toHaveBeenCalled();
    expect(screen.getByRole('heading', { name: 'Which model runs best here?' })).toBeTruthy();
  });
});

describe('a crash and untrusted text', () => {
  it('reports a worker crash above the last results', async () => {
    await show(new FakeBridge({ ...IDLE, last: lastRun(), crash: 'The benchmark worker quit unexpectedly (exit code 134).' }));
    expect(screen.getByRole('alert').textContent).toBe('The benchmark worker quit unexpectedly (exit code 134).');
    expect(screen.getAllByRole('listitem').filter((item) => item.classList.contains('tier'))).toHaveLength(5);
  });

  it('renders names and reasons from servers as text, never as markup', async () => {
    const hostile = '<img src=x onerror="window.hacked=1">';
    const results = report.results.map((result, index) => (index === 0 ? { ...result, model: hostile, reason: hostile, status: 'failed' as const } : result));
    const tiers = report.tiers.map((tier, index) => (index === 0 ? { ...tier, recommended: { host: report.hosts[0]?.url ?? '', model: hostile } } : tier));
    const { container } = await show(new FakeBridge({ ...IDLE, last: lastRun({ report: { ...report, results, tiers }, warnings: [hostile] }) }));
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getAllByText(hostile).length).toBeGreaterThan(1);
  });
});
