import { urls, type Node, type Version } from '@loft/sdk';
import { Download, RotateCcw } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { api, call, humanError } from '../lib/api.js';
import { formatBytes, formatFullDate } from '../lib/format.js';
import { toast } from '../lib/toasts.js';
import { Dialog } from './dialog.js';

export function VersionsDialog(props: { file: Node; onClose: () => void; onRestored: () => void }) {
  const [items, setItems] = useState<Version[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    call(api.GET('/api/nodes/{id}/versions', { params: { path: { id: props.file.id } } }))
      .then((r) => setItems(r.items))
      .catch((e) => setError(humanError(e)));
  }, [props.file.id]);
  useEffect(load, [load]);

  return (
    <Dialog title={`Versions of “${props.file.name}”`} onClose={props.onClose} wide>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p className="muted">Loading…</p>}
      <ul className="versions" aria-label="Versions">
        {items?.map((v) => (
          <li key={v.id} className="version">
            <div className="grow">
              <div>
                {formatFullDate(v.createdAt)} {v.current && <span className="badge">Current</span>}
              </div>
              <div className="muted small">{formatBytes(v.size)}</div>
            </div>
            <a
              className="icon-button"
              href={urls.content(props.file.id, v.id)}
              download
              aria-label={`Download version of ${formatFullDate(v.createdAt)}`}
              title="Download"
            >
              <Download size={18} />
            </a>
            {!v.current && (
              <button
                type="button"
                className="button small"
                onClick={async () => {
                  try {
                    await call(
                      api.POST('/api/nodes/{id}/versions/{versionId}/restore', {
                        params: { path: { id: props.file.id, versionId: v.id } },
                      }),
                    );
                    toast('Version restored.', { tone: 'success' });
                    props.onRestored();
                    load();
                  } catch (e) {
                    setError(humanError(e));
                  }
                }}
              >
                <RotateCcw size={16} aria-hidden="true" /> Restore
              </button>
            )}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
