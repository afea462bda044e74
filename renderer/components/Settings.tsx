// Settings for the next run. Main checks them (the same rules as the terminal's options) and answers
// with a message per field; this form only shows the answer.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Settings, SettingsErrors, SpeedrunBridge } from '../../main/contract.js';

interface Draft {
  hosts: string;
  scan: boolean;
  subnet: string;
  maxTokens: string;
  runs: string;
}

function draftOf(settings: Settings): Draft {
  return {
    hosts: settings.extraHosts.join('\n'),
    scan: settings.scan,
    subnet: settings.subnet ?? '',
    maxTokens: String(settings.maxTokens),
    runs: String(settings.runs),
  };
}

function settingsOf(draft: Draft): Settings {
  return {
    extraHosts: draft.hosts.split(/[\s,]+/).filter(Boolean),
    scan: draft.scan,
    subnet: draft.subnet.trim() || null,
    maxTokens: Number(draft.maxTokens),
    runs: Number(draft.runs),
  };
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p class="field-error" id={id}>
      {message}
    </p>
  ) : null;
}

export function SettingsView({ bridge, onDone }: { bridge: SpeedrunBridge; onDone: () => void }) {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  useEffect(() => {
    bridge.getSettings().then(
      (settings) => setDraft(draftOf(settings)),
      (error: unknown) => setErrors({ form: `Could not read the settings: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }, [bridge]);

  // Opening the settings puts the keyboard in the first field.
  const firstField = useRef<HTMLTextAreaElement>(null);
  const loaded = draft !== null;
  useEffect(() => {
    if (loaded) firstField.current?.focus();
  }, [loaded]);

  if (!draft) return <p class="muted">{errors.form ?? 'Loading settings…'}</p>;
  const change = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });
  const save = async (event: Event) => {
    event.preventDefault();
    const result = await bridge.setSettings(settingsOf(draft));
    if (result.ok) onDone();
    else setErrors(result.errors);
  };
  const describedBy = (field: keyof SettingsErrors, help?: string) =>
    [help, errors[field] ? `${field}-error` : undefined].filter(Boolean).join(' ') || undefined;

  return (
    <form class="settings" onSubmit={save} noValidate>
      <h2>Settings</h2>
      <FieldError id="form-error" message={errors.form} />
      <label for="hosts">Extra servers</label>
      <textarea
        ref={firstField}
        id="hosts"
        rows={3}
        spellcheck={false}
        placeholder={'192.168.1.20\nstudio.local:11434'}
        value={draft.hosts}
        aria-invalid={Boolean(errors.extraHosts)}
        aria-describedby={describedBy('extraHosts', 'hosts-help')}
        onInput={(event) => change({ hosts: event.currentTarget.value })}
      />
      <p class="help" id="hosts-help">
        One per line. This Mac, OLLAMA_HOST and servers found before are always tried.
      </p>
      <FieldError id="extraHosts-error" message={errors.extraHosts} />

      <label class="check">
        <input type="checkbox" checked={draft.scan} onChange={(event) => change({ scan: event.currentTarget.checked })} />
        Search the local network for servers
      </label>
      <FieldError id="scan-error" message={errors.scan} />

      <label for="subnet">Network to search</label>
      <input
        id="subnet"
        type="text"
        spellcheck={false}
        placeholder="automatic, e.g. 192.168.1.0/24"
        disabled={!draft.scan}
        value={draft.subnet}
        aria-invalid={Boolean(errors.subnet)}
        aria-describedby={describedBy('subnet')}
        onInput={(event) => change({ subnet: event.currentTarget.value })}
      />
      <FieldError id="subnet-error" message={errors.subnet} />

      <div class="row pair">
        <div>
          <label for="max-tokens">Max tokens per run</label>
          <input
            id="max-tokens"
            type="number"
            min={1}
            max={131072}
            value={draft.maxTokens}
            aria-invalid={Boolean(errors.maxTokens)}
            aria-describedby={describedBy('maxTokens')}
            onInput={(event) => change({ maxTokens: event.currentTarget.value })}
          />
        </div>
        <div>
          <label for="runs">Timed runs per model</label>
          <input
            id="runs"
            type="number"
            min={1}
            max={100}
            value={draft.runs}
            aria-invalid={Boolean(errors.runs)}
            aria-describedby={describedBy('runs')}
            onInput={(event) => change({ runs: event.currentTarget.value })}
          />
        </div>
      </div>
      <FieldError id="maxTokens-error" message={errors.maxTokens} />
      <FieldError id="runs-error" message={errors.runs} />

      <div class="row actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" class="primary">
          Save
        </button>
      </div>
    </form>
  );
}
