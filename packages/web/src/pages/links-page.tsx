import { Link2 } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { LinkCard, listLinks, type LinkInfo } from '../components/link-dialog.js';
import { humanError } from '../lib/api.js';

/** Every public link I made, with its state and counts. */
export function LinksPage() {
  const [links, setLinks] = useState<LinkInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    listLinks()
      .then(setLinks)
      .catch((e) => setError(humanError(e)));
  }, []);
  useEffect(load, [load]);
  return (
    <div className="page">
      <div className="page-head">
        <h1 className="page-title">Public links</h1>
      </div>
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {links?.length === 0 && (
        <div className="empty">
          <Link2 size={48} aria-hidden="true" className="muted" />
          <h2>No public links yet</h2>
          <p className="muted">Use “Get link…” on a file or folder to share it with anyone.</p>
        </div>
      )}
      {links && links.length > 0 && (
        <ul className="link-list" aria-label="My public links">
          {links.map((l) => (
            <LinkCard key={l.id} link={l} onChanged={load} showName />
          ))}
        </ul>
      )}
    </div>
  );
}
