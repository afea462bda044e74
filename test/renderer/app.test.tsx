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
const RUNNING: AppState = { status: 'running', events: [], last: null, crash: null, notice: null };
const FIVE_MINUTES_LATER = Date.parse(report.finishedAt) + 5 * 60_000;
const lastRun = (over: Partial<LastRun> = {}): LastRun => ({ report, end: 'finished', advice: [], failedHosts: [], warnings: [], ...over });

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
    await show(new FakeBridge({ ...IDLE, last: lastRun({ end: 'stopped' }) }));
    expect(screen.getByText(/Stopped before the end/)).toBeTruthy();
  });

  it('show a run the app never saw end as interrupted, with the models it finished', async () => {
    const finished = report.results.filter((result) => result.host === recorded.servers[0]?.url);
    await show(new FakeBridge({ ...IDLE, last: lastRun({ end: 'interrupted', report: { ...report, results: finished } }) }));
    expect(screen.getByText('Interrupted before the end: these are the models finished until then. Run again to measure the rest.')).toBeTruthy();
    expect(screen.queryByText(/Stopped before the end/)).toBeNull();
    expect(screen.getAllByRole('listitem').filter((item) => item.classList.contains('tier'))).toHaveLength(5);
    expect(screen.getByRole('button', { name: 'Copy qwen3:4b' })).toBeTruthy();
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

describe('the store notice', () => {
  it('is shown while main has one, and goes when main drops it', async () => {
    const notice = 'The saved settings and results could not be read (it is not valid JSON). The file was moved to /x/speedrun.json.corrupt-1 and the app started afresh with the default settings.';
    const bridge = new FakeBridge({ ...IDLE, notice });
    await show(bridge);
    expect(screen.getByRole('alert').textContent).toBe(notice);
    await push(() => bridge.push({ type: 'state', state: { ...IDLE, notice: null } }));
    expect(screen.queryByRole('alert')).toBeNull();
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

  describe('HTML in what servers send never becomes markup', () => {
    const HOSTILE = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script><iframe src="javascript:window.hacked=3"></iframe>';
    const hostileHost = `http://${HOSTILE}:11434`;

    /** Nothing the strings carry was parsed into elements or ran; each occurrence is text. */
    function expectInert(container: Element, occurrences: number) {
      expect(container.querySelector('img, script, iframe')).toBeNull();
      expect((window as unknown as { hacked?: number }).hacked).toBeUndefined();
      const matches = container.textContent?.split(HOSTILE).length ?? 1;
      expect(matches - 1).toBeGreaterThanOrEqual(occurrences);
    }

    it('in the results cards, the ranking, the failed and skipped reasons and the warnings', async () => {
      const [first, second, ...rest] = report.results;
      if (!first || !second) throw new Error('the recording has too few results');
      const results = [
        { ...first, host: hostileHost, model: HOSTILE },
        { ...second, model: `${HOSTILE} 2`, status: 'failed' as const, reason: HOSTILE },
        ...rest,
      ];
      const tiers = report.tiers.map((tier, index) =>
        index === 0
          ? {
              ...tier,
              recommended: { host: hostileHost, model: HOSTILE },
              ranked: [
                { host: hostileHost, model: HOSTILE, score: 90 },
                { host: hostileHost, model: `${HOSTILE} 3`, score: 80 },
              ],
            }
          : tier,
      );
      const last = lastRun({ report: { ...report, results, tiers }, failedHosts: [{ url: hostileHost, reason: HOSTILE }], warnings: [HOSTILE] });
      const { container } = await show(new FakeBridge({ ...IDLE, last }));
      const tiny = screen.getAllByRole('listitem').find((item) => item.classList.contains('tier')) as HTMLElement;
      fireEvent.click(within(tiny).getByText('Ranking (2)'));

      expect(within(tiny).getByText(HOSTILE, { selector: '.pick' })).toBeTruthy();
      expect(within(tiny).getAllByText(`${HOSTILE}:11434`).length).toBeGreaterThanOrEqual(3);
      expect(within(tiny).getByText(`${HOSTILE} 3`)).toBeTruthy();
      const problems = screen.getByText(/Failed and skipped/).closest('details') as HTMLElement;
      expect(within(problems).getByText(`${HOSTILE} 2`)).toBeTruthy();
      expect(within(problems).getByText(HOSTILE, { selector: '.reason' })).toBeTruthy();
      const warnings = screen.getByText('Warnings (2)').closest('details') as HTMLElement;
      expect(within(warnings).getByText(`${HOSTILE}:11434: ${HOSTILE}`)).toBeTruthy();
      expect(within(warnings).getByText(HOSTILE)).toBeTruthy();
      expectInert(container, 10);
    });

    it('in the copy confirmation', async () => {
      const bridge = new FakeBridge({ ...IDLE, last: lastRun() });
      bridge.copyAnswer = () => ({ ok: false, reason: HOSTILE });
      const { container } = await show(bridge);
      await click(screen.getByRole('button', { name: 'Copy qwen3:4b' }));
      expect(screen.getAllByRole('status').some((status) => status.textContent === HOSTILE)).toBe(true);
      expectInert(container, 1);
    });

    it('in the running view: discovery notes, the sweep, servers found, the model being measured and the ones just measured', async () => {
      const bridge = new FakeBridge(RUNNING);
      const { container } = await show(bridge);
      const host = { url: hostileHost, version: HOSTILE, source: 'flag' as const };
      await push(() =>
        bridge.events([
          { type: 'phase', phase: 'discover' },
          { type: 'discovery-note', message: HOSTILE },
          { type: 'scan-progress', network: HOSTILE, probed: 1, total: 2 },
          { type: 'host-found', host },
        ]),
      );
      expect(screen.getByText(HOSTILE, { selector: 'p' })).toBeTruthy();
      expect(screen.getByText(new RegExp(`Searching ${HOSTILE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 1 of 2`))).toBeTruthy();
      expect(container.querySelector('.hosts')?.textContent).toBe(`${HOSTILE}:11434 Ollama ${HOSTILE}`);
      expectInert(container, 4);

      const [result] = report.results;
      if (!result) throw new Error('the recording has no results');
      await push(() =>
        bridge.events([
          { type: 'phase', phase: 'benchmark' },
          { type: 'bench-done', result: { ...result, host: hostileHost, model: HOSTILE } },
          { type: 'bench-start', host: hostileHost, model: HOSTILE, index: 1, total: 3 },
          { type: 'bench-progress', host: hostileHost, model: HOSTILE, stage: 'generate', tokens: 12, tokensPerSec: 40, elapsedMs: 300 },
        ]),
      );
      const activity = screen.getAllByRole('listitem').find((item) => item.classList.contains('activity')) as HTMLElement;
      expect(within(activity).getByText(HOSTILE, { selector: '.model' })).toBeTruthy();
      expect(within(activity).getByText(`${HOSTILE}:11434`)).toBeTruthy();
      expect(container.querySelector('.recent .model')?.textContent).toBe(HOSTILE);
      expectInert(container, 3);
    });

    it('in the advice when no server was found', async () => {
      const empty: Report = { ...report, hosts: [], results: [], tiers: report.tiers.map((tier) => ({ ...tier, recommended: null, ranked: [] })) };
      const { container } = await show(new FakeBridge({ ...IDLE, last: lastRun({ report: empty, advice: [HOSTILE, `Check ${HOSTILE}`] }) }));
      expect(screen.getAllByRole('listitem').map((item) => item.textContent)).toEqual([HOSTILE, `Check ${HOSTILE}`]);
      expectInert(container, 2);
    });

    it('in the crash and store banners', async () => {
      const { container } = await show(new FakeBridge({ ...IDLE, crash: `The benchmark failed: ${HOSTILE}`, notice: HOSTILE }));
      expect(screen.getAllByRole('alert').map((alert) => alert.textContent)).toEqual([`The benchmark failed: ${HOSTILE}`, HOSTILE]);
      expectInert(container, 2);
    });
  });
});
