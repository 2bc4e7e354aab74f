import { AlertCircle, CheckCircle2, ChevronDown, ChevronUp, RotateCw, X } from 'lucide-react';
import { useState } from 'react';
import { formatBytes, formatDuration, formatSpeed } from '../lib/format.js';
import { useStore } from '../lib/store.js';
import { cancelAll, cancelTransfer, clearFinished, retryTransfer, transfers } from '../lib/transfers.js';

export function TransfersPanel() {
  const list = useStore(transfers);
  const [open, setOpen] = useState(true);
  if (!list.length) return null;
  const active = list.filter((t) => t.status === 'uploading' || t.status === 'queued');
  const failed = list.filter((t) => t.status === 'error').length;
  const total = active.reduce((s, t) => s + t.size, 0);
  const done = active.reduce((s, t) => s + t.loaded, 0);
  const speed = active.reduce((s, t) => s + (t.status === 'uploading' ? t.speed : 0), 0);
  const title = active.length
    ? `Uploading ${active.length} ${active.length === 1 ? 'file' : 'files'}`
    : failed
      ? `${failed} ${failed === 1 ? 'upload' : 'uploads'} failed`
      : 'Uploads complete';

  return (
    <section className="transfers" aria-label="Transfers">
      <header className="transfers-head">
        <div className="grow">
          <strong>{title}</strong>
          {active.length > 0 && (
            <div className="muted small">
              {formatBytes(done)} of {formatBytes(total)}
              {speed > 0 && ` · ${formatSpeed(speed)} · ${formatDuration((total - done) / speed)} left`}
            </div>
          )}
        </div>
        {active.length > 0 ? (
          <button type="button" className="button small ghost" onClick={cancelAll}>
            Cancel all
          </button>
        ) : (
          <button type="button" className="icon-button" aria-label="Close transfers" onClick={clearFinished}>
            <X size={18} />
          </button>
        )}
        <button
          type="button"
          className="icon-button"
          aria-label={open ? 'Collapse transfers' : 'Expand transfers'}
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? <ChevronDown size={18} /> : <ChevronUp size={18} />}
        </button>
      </header>
      {open && (
        <ul className="transfer-list">
          {list.map((t) => {
            const pct = t.size ? Math.round((t.loaded / t.size) * 100) : t.status === 'done' ? 100 : 0;
            return (
              <li key={t.id} className={`transfer ${t.status}`} data-status={t.status}>
                <div className="transfer-main">
                  <div className="transfer-name" title={t.dir ? `${t.dir}/${t.name}` : t.name}>
                    {t.name}
                  </div>
                  <div className="muted small">
                    {t.status === 'uploading' &&
                      `${formatBytes(t.loaded)} of ${formatBytes(t.size)}${t.speed ? ` · ${formatSpeed(t.speed)}` : ''}`}
                    {t.status === 'queued' && `Waiting · ${formatBytes(t.size)}`}
                    {t.status === 'done' && `Uploaded · ${formatBytes(t.size)}`}
                    {t.status === 'canceled' && 'Canceled'}
                    {t.status === 'error' && (
                      <span className="field-error" role="alert">
                        {t.errorCode === 'quota_exceeded' ? 'Quota exceeded: ' : ''}
                        {t.error}
                      </span>
                    )}
                  </div>
                  {(t.status === 'uploading' || t.status === 'queued') && (
                    <div
                      className="progress"
                      role="progressbar"
                      aria-label={`Upload of ${t.name}`}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={pct}
                    >
                      <div style={{ width: `${pct}%` }} />
                    </div>
                  )}
                </div>
                {t.status === 'done' && <CheckCircle2 size={18} className="ok" aria-label="Done" />}
                {t.status === 'error' && <AlertCircle size={18} className="bad" aria-hidden="true" />}
                {(t.status === 'uploading' || t.status === 'queued') && (
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Cancel upload of ${t.name}`}
                    onClick={() => cancelTransfer(t.id)}
                  >
                    <X size={16} />
                  </button>
                )}
                {(t.status === 'error' || t.status === 'canceled') && (
                  <button
                    type="button"
                    className="icon-button"
                    aria-label={`Retry upload of ${t.name}`}
                    onClick={() => retryTransfer(t.id)}
                  >
                    <RotateCw size={16} />
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
