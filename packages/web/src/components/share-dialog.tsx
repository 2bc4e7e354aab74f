import type { Node } from '@loft/sdk';
import { Gift, Trash2, UserPlus } from 'lucide-react';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, call, humanError, LoftApiError } from '../lib/api.js';
import { toast } from '../lib/toasts.js';
import { Dialog } from './dialog.js';

type Role = 'viewer' | 'editor';
interface ShareInfo {
  id: string;
  role: Role;
  user: { id: string; username: string };
}

/** Who has access to an item: add people by username or email, change roles, revoke, or give it away. */
export function ShareDialog(props: { node: Node; onClose: () => void; onTransferred: () => void }) {
  const [shares, setShares] = useState<ShareInfo[] | null>(null);
  const [who, setWho] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [giveTo, setGiveTo] = useState('');
  const [keepAccess, setKeepAccess] = useState(true);
  const [giveError, setGiveError] = useState<string | null>(null);

  const load = useCallback(() => {
    call(api.GET('/api/nodes/{id}/shares', { params: { path: { id: props.node.id } } }))
      .then((r) => setShares(r.items))
      .catch((e) => setError(humanError(e)));
  }, [props.node.id]);
  useEffect(load, [load]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!who.trim()) return setFieldError('Enter a username or an email address.');
    setBusy(true);
    setFieldError(null);
    try {
      const s = await call(
        api.POST('/api/nodes/{id}/shares', {
          params: { path: { id: props.node.id } },
          body: { user: who.trim(), role },
        }),
      );
      toast(`Shared with ${s.user.username}.`, { tone: 'success' });
      setWho('');
      load();
    } catch (err) {
      setFieldError(err instanceof LoftApiError && err.fields.user ? err.fields.user : humanError(err));
    } finally {
      setBusy(false);
    }
  };

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      load();
    } catch (err) {
      setError(humanError(err));
    }
  };

  const give = async (e: FormEvent) => {
    e.preventDefault();
    if (!giveTo.trim()) return setGiveError('Enter a username or an email address.');
    setGiveError(null);
    try {
      const r = await call(
        api.POST('/api/nodes/{id}/transfer', {
          params: { path: { id: props.node.id } },
          body: { user: giveTo.trim(), keepAccess },
        }),
      );
      toast(`“${props.node.name}” now belongs to ${r.newOwner}.`, { tone: 'success' });
      props.onTransferred();
      props.onClose();
    } catch (err) {
      setGiveError(err instanceof LoftApiError && err.fields.user ? err.fields.user : humanError(err));
    }
  };

  return (
    <Dialog title={`Share “${props.node.name}”`} onClose={props.onClose} wide>
      <form className="share-add" onSubmit={add} noValidate>
        <label className="field grow">
          <span>Add people</span>
          <input
            value={who}
            onChange={(e) => {
              setWho(e.target.value);
              setFieldError(null);
            }}
            placeholder="Username or email"
            autoComplete="off"
            autoFocus
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? 'share-user-error' : undefined}
          />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="viewer">Can view</option>
            <option value="editor">Can edit</option>
          </select>
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          <UserPlus size={16} aria-hidden="true" /> Share
        </button>
      </form>
      {fieldError && (
        <p className="field-error" id="share-user-error" role="alert">
          {fieldError}
        </p>
      )}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      <div>
        <h3 className="section-title">People with access</h3>
        {shares === null && !error && <p className="muted">Loading…</p>}
        {shares?.length === 0 && <p className="muted small">Only you. Add someone above.</p>}
        <ul className="share-list" aria-label="People with access">
          {shares?.map((s) => (
            <li key={s.id} className="share-row">
              <span className="avatar" aria-hidden="true">
                {s.user.username.slice(0, 1).toUpperCase()}
              </span>
              <span className="grow ellipsis">{s.user.username}</span>
              <select
                aria-label={`Role of ${s.user.username}`}
                value={s.role}
                onChange={(e) =>
                  void act(() =>
                    call(
                      api.PATCH('/api/shares/{id}', {
                        params: { path: { id: s.id } },
                        body: { role: e.target.value as Role },
                      }),
                    ),
                  )
                }
              >
                <option value="viewer">Can view</option>
                <option value="editor">Can edit</option>
              </select>
              <button
                type="button"
                className="icon-button"
                aria-label={`Stop sharing with ${s.user.username}`}
                title="Remove access"
                onClick={() =>
                  void act(() => call(api.DELETE('/api/shares/{id}', { params: { path: { id: s.id } } })))
                }
              >
                <Trash2 size={16} />
              </button>
            </li>
          ))}
        </ul>
      </div>
      <details className="give">
        <summary>
          <Gift size={16} aria-hidden="true" /> Give to someone else
        </summary>
        <form className="stack" onSubmit={give} noValidate>
          <p className="muted small">
            The new owner gets “{props.node.name}” and everything in it, in their files and their storage.
          </p>
          <label className="field">
            <span>New owner</span>
            <input
              value={giveTo}
              onChange={(e) => {
                setGiveTo(e.target.value);
                setGiveError(null);
              }}
              placeholder="Username or email"
              autoComplete="off"
              aria-invalid={giveError ? true : undefined}
            />
            {giveError && (
              <span className="field-error" role="alert">
                {giveError}
              </span>
            )}
          </label>
          <label className="check">
            <input type="checkbox" checked={keepAccess} onChange={(e) => setKeepAccess(e.target.checked)} />
            <span>Keep edit access for me</span>
          </label>
          <div className="row end">
            <button type="submit" className="button danger">
              Give away
            </button>
          </div>
        </form>
      </details>
    </Dialog>
  );
}
