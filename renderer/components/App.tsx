// The popover: a header with Run/Stop and Settings, then the view main's state calls for.
import { useEffect, useReducer, useState } from 'preact/hooks';
import type { SpeedrunBridge } from '../../main/contract.js';
import { INITIAL_MODEL, reduce, screenOf } from '../model.js';
import { Header } from './Header.js';
import { ResultsView } from './Results.js';
import { RunningView } from './Running.js';
import { SettingsView } from './Settings.js';
import { Welcome } from './Welcome.js';

export interface AppProps {
  bridge: SpeedrunBridge;
  /** The clock for "measured 5 min ago"; injected so tests are not at the mercy of the real one. */
  now: () => number;
}

export function App({ bridge, now }: AppProps) {
  const [model, dispatch] = useReducer(reduce, INITIAL_MODEL);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const unsubscribe = bridge.subscribe(dispatch);
    bridge.getState().then(
      (state) => dispatch({ type: 'snapshot', state }),
      (error: unknown) => setNotice(`Could not reach the app: ${error instanceof Error ? error.message : String(error)}`),
    );
    return unsubscribe;
  }, [bridge]);

  const run = async () => {
    setSettingsOpen(false);
    const started = await bridge.start();
    setNotice(started.ok ? null : started.reason);
  };
  const screen = screenOf(model);
  const crash = model.app?.crash ?? null;
  const storeNotice = model.app?.notice ?? null;

  return (
    <div class="popover">
      <Header
        status={model.app?.status ?? 'idle'}
        settingsOpen={settingsOpen}
        onRun={run}
        onStop={() => void bridge.stop()}
        onToggleSettings={() => setSettingsOpen(!settingsOpen)}
      />
      {crash && (
        <p class="banner error" role="alert">
          {crash}
        </p>
      )}
      {storeNotice && (
        <p class="banner" role="alert">
          {storeNotice}
        </p>
      )}
      {notice && (
        <p class="banner" role="alert">
          {notice}
        </p>
      )}
      <main class="content">
        {settingsOpen ? (
          <SettingsView bridge={bridge} onDone={() => setSettingsOpen(false)} />
        ) : screen.kind === 'running' ? (
          <RunningView run={screen.run} stopping={screen.stopping} />
        ) : screen.kind === 'results' ? (
          <ResultsView last={screen.last} bridge={bridge} nowMs={now()} onOpenSettings={() => setSettingsOpen(true)} />
        ) : screen.kind === 'welcome' ? (
          <Welcome onRun={run} />
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    </div>
  );
}
