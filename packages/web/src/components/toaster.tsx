import { X } from 'lucide-react';
import { useStore } from '../lib/store.js';
import { dismiss, toasts } from '../lib/toasts.js';

export function Toaster() {
  const list = useStore(toasts);
  return (
    <div className="toaster" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast ${t.tone}`}>
          <span className="grow">{t.message}</span>
          {t.action && (
            <button
              type="button"
              className="button small ghost on-dark"
              onClick={() => {
                t.action!.run();
                dismiss(t.id);
              }}
            >
              {t.action.label}
            </button>
          )}
          <button
            type="button"
            className="icon-button on-dark"
            aria-label="Dismiss"
            onClick={() => dismiss(t.id)}
          >
            <X size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}
