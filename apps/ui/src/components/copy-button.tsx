import { useEffect, useState } from 'react';
import { Button } from './ui';

/**
 * Copies a secret to the clipboard. The Clipboard API needs a secure context (https or localhost); on a
 * plain-http address the fallback selects the text in the given input and uses the legacy copy command.
 */
export function CopyButton({
  value,
  inputId,
  label = 'Copy',
}: {
  value: string;
  inputId?: string;
  label?: string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = window.setTimeout(() => setState('idle'), 2500);
    return () => window.clearTimeout(t);
  }, [state]);

  const copy = async () => {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(value);
        setState('copied');
        return;
      }
      const input = inputId ? document.getElementById(inputId) : null;
      if (input instanceof HTMLInputElement) {
        input.focus();
        input.select();
        setState(document.execCommand('copy') ? 'copied' : 'failed');
        return;
      }
      setState('failed');
    } catch {
      setState('failed');
    }
  };

  return (
    <>
      <Button variant="primary" onClick={copy}>
        {state === 'copied' ? 'Copied' : label}
      </Button>
      <span className="sr-only" role="status">
        {state === 'copied'
          ? 'Copied to the clipboard'
          : state === 'failed'
            ? 'Copy failed: select the text and copy it'
            : ''}
      </span>
    </>
  );
}
