import type { RunStatus } from '../../main/contract.js';

export interface HeaderProps {
  status: RunStatus;
  settingsOpen: boolean;
  onRun: () => void;
  onStop: () => void;
  onToggleSettings: () => void;
}

export function Header({ status, settingsOpen, onRun, onStop, onToggleSettings }: HeaderProps) {
  return (
    <header class="header">
      <h1>Ollama Speedrun</h1>
      <div class="header-actions">
        {status === 'idle' ? (
          <button type="button" class="primary" onClick={onRun}>
            Run benchmark
          </button>
        ) : (
          <button type="button" onClick={onStop} disabled={status === 'stopping'}>
            {status === 'stopping' ? 'Stopping…' : 'Stop'}
          </button>
        )}
        <button type="button" class="icon" aria-label="Settings" aria-pressed={settingsOpen} title="Settings" onClick={onToggleSettings}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M2 4h12M2 8h12M2 12h12" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
            <circle cx="5" cy="4" r="1.6" stroke="currentColor" stroke-width="1.3" />
            <circle cx="11" cy="8" r="1.6" stroke="currentColor" stroke-width="1.3" />
            <circle cx="7" cy="12" r="1.6" stroke="currentColor" stroke-width="1.3" />
          </svg>
        </button>
      </div>
    </header>
  );
}
