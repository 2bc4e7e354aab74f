import { useEffect, useRef, useState } from 'react';
import { humanError } from '../lib/api.js';
import { Dialog } from './dialog.js';

/** Asks for a name (new folder, rename); keeps the dialog open with the server's message on failure. */
export function NameDialog(props: {
  title: string;
  label: string;
  initial: string;
  submitLabel: string;
  onSubmit: (name: string) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    // Select the base name, not the extension, like every desktop file manager.
    const dot = props.initial.lastIndexOf('.');
    el.setSelectionRange(0, dot > 0 ? dot : props.initial.length);
  }, [props.initial]);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Enter a name.');
    if (trimmed.includes('/')) return setError('A name cannot contain "/".');
    setBusy(true);
    try {
      await props.onSubmit(trimmed);
      props.onClose();
    } catch (err) {
      setError(humanError(err));
      setBusy(false);
    }
  };

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form onSubmit={submit} className="stack">
        <label className="field">
          <span>{props.label}</span>
          <input
            ref={input}
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              setError(null);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'name-dialog-error' : undefined}
            autoComplete="off"
            spellCheck={false}
          />
          {error && (
            <span className="field-error" id="name-dialog-error" role="alert">
              {error}
            </span>
          )}
        </label>
        <div className="row end">
          <button type="button" className="button ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
