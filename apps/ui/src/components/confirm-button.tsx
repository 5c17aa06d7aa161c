import { useState } from 'react';
import { Button } from './ui';

/** A destructive action that asks once more, inline (no modal): "Delete" → "Confirm delete" / "Cancel". */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  describedBy,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  /** Accessible name of what the action applies to, e.g. the key alias. */
  describedBy?: string;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking) {
    return (
      <Button
        variant="ghost"
        className="btn-small btn-danger-text"
        onClick={() => setAsking(true)}
        aria-label={describedBy ? `${label} ${describedBy}` : undefined}
      >
        {label}
      </Button>
    );
  }
  return (
    <span className="confirm">
      <Button
        variant="danger"
        className="btn-small"
        busy={busy}
        autoFocus
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </Button>
      <Button variant="ghost" className="btn-small" onClick={() => setAsking(false)} disabled={busy}>
        Cancel
      </Button>
    </span>
  );
}
