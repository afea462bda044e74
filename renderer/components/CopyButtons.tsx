// Copy goes through main (the page has no clipboard access); the answer is shown, then fades.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CopyForm, CopyResult, SpeedrunBridge } from '../../main/contract.js';

export const CONFIRMATION_MS = 2_000;

export interface CopyButtonsProps {
  host: string;
  model: string;
  bridge: SpeedrunBridge;
  /** What the buttons sit beside: the model name. */
  children: ComponentChildren;
}

export function CopyButtons({ host, model, bridge, children }: CopyButtonsProps) {
  const [outcome, setOutcome] = useState<CopyResult | null>(null);
  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(null), CONFIRMATION_MS);
    return () => clearTimeout(timer);
  }, [outcome]);

  const copy = async (form: CopyForm) => {
    try {
      setOutcome(await bridge.copy({ host, model, form }));
    } catch (error) {
      setOutcome({ ok: false, reason: `Not copied: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  return (
    <>
      <div class="row spread copy">
        {children}
        <span class="row">
          <button type="button" class="primary" onClick={() => copy('name')} aria-label={`Copy ${model}`} title={`Copy “${model}”`}>
            Copy
          </button>
          <button type="button" onClick={() => copy('run')} aria-label={`Copy ollama run ${model}`} title={`Copy “ollama run ${model}”`}>
            <code>ollama run</code>
          </button>
        </span>
      </div>
      <p class={outcome && !outcome.ok ? 'copied error' : 'copied'} role="status">
        {outcome ? (outcome.ok ? `Copied “${outcome.text}”` : outcome.reason) : ''}
      </p>
    </>
  );
}
