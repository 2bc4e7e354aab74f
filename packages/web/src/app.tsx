import { CloudOff } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Shell } from './components/shell.js';
import { Toaster } from './components/toaster.js';
import { refreshMe, session, sessionExpired } from './lib/api.js';
import { filesPathSegments, navigate, useLocation } from './lib/router.js';
import { useStore } from './lib/store.js';
import { FilesPage } from './pages/files-page.js';
import { LinksPage } from './pages/links-page.js';
import { PublicLinkPage } from './pages/public-link-page.js';
import { SearchPage } from './pages/search-page.js';
import { SendsPage } from './pages/sends-page.js';
import { SettingsPage } from './pages/settings-page.js';
import { SharedFolderPage, SharedWithMePage } from './pages/shared-page.js';
import { SignInPage, SignUpPage } from './pages/auth-pages.js';
import { TrashPage } from './pages/trash-page.js';

const PUBLIC = new Set(['/signin', '/signup']);
/** Public link pages work for anyone, signed in or not. */
const isLinkPage = (pathname: string) => pathname.startsWith('/s/');

export function App() {
  const user = useStore(session);
  const expired = useStore(sessionExpired);
  const loc = useLocation();

  // Unreachable is not signed out: offer a retry instead of a sign-in form that cannot work.
  const [offline, setOffline] = useState(false);
  const check = () => {
    setOffline(false);
    refreshMe().catch(() => setOffline(true));
  };
  useEffect(check, []);

  // Signed out (or the session ended): go to sign-in, remembering where we were.
  useEffect(() => {
    if (user === null && !PUBLIC.has(loc.pathname) && !isLinkPage(loc.pathname)) {
      const next = encodeURIComponent(location.pathname + location.search);
      navigate(`/signin?next=${next}${expired ? '&expired=1' : ''}`, { replace: true });
    }
    if (user && (PUBLIC.has(loc.pathname) || loc.pathname === '/')) {
      if (loc.pathname === '/') navigate('/files', { replace: true });
    }
  }, [user, loc.pathname, expired]);

  useEffect(() => {
    document.title = titleFor(loc.pathname);
  }, [loc.pathname]);

  let page;
  if (isLinkPage(loc.pathname)) {
    const token = decode(loc.pathname.slice(3).split('/')[0] ?? '');
    page = <PublicLinkPage token={token} path={loc.search.get('path') ?? '/'} />;
  } else if (offline && user === undefined)
    page = (
      <div className="empty">
        <CloudOff size={48} aria-hidden="true" className="muted" />
        <h1>Cannot reach Loft</h1>
        <p className="muted">Check your connection. Your files are safe on the server.</p>
        <button type="button" className="button primary" onClick={check}>
          Try again
        </button>
      </div>
    );
  else if (loc.pathname === '/signin') page = <SignInPage />;
  else if (loc.pathname === '/signup') page = <SignUpPage />;
  else if (user === undefined) page = <div className="splash" aria-busy="true" />;
  else if (user === null) page = null;
  else {
    const segs = filesPathSegments(loc.pathname);
    let inner;
    if (segs) inner = <FilesPage segments={segs} selectId={loc.search.get('select')} />;
    else if (loc.pathname === '/shared') inner = <SharedWithMePage />;
    else if (loc.pathname === '/links') inner = <LinksPage />;
    else if (loc.pathname === '/sends') inner = <SendsPage />;
    else if (loc.pathname.startsWith('/shared/')) {
      const [rootId = '', ...rest] = loc.pathname
        .slice('/shared/'.length)
        .split('/')
        .filter(Boolean)
        .map(decode);
      inner = <SharedFolderPage rootId={rootId} segments={rest} selectId={loc.search.get('select')} />;
    } else if (loc.pathname === '/trash') inner = <TrashPage />;
    else if (loc.pathname === '/search') inner = <SearchPage q={loc.search.get('q') ?? ''} />;
    else if (loc.pathname === '/settings') inner = <SettingsPage user={user} />;
    else
      inner = (
        <div className="empty">
          <h1>Page not found</h1>
          <p className="muted">There is nothing at this address.</p>
        </div>
      );
    page = <Shell user={user}>{inner}</Shell>;
  }
  return (
    <>
      {page}
      <Toaster />
    </>
  );
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function titleFor(pathname: string): string {
  const segs = filesPathSegments(pathname);
  if (segs) return segs.length ? `${segs[segs.length - 1]} · Loft` : 'My files · Loft';
  if (pathname === '/trash') return 'Trash · Loft';
  if (pathname.startsWith('/shared')) return 'Shared with me · Loft';
  if (pathname === '/links') return 'Public links · Loft';
  if (pathname === '/sends') return 'Sends · Loft';
  if (pathname.startsWith('/s/')) return 'Shared file · Loft';
  if (pathname === '/search') return 'Search · Loft';
  if (pathname === '/settings') return 'Settings · Loft';
  if (pathname === '/signup') return 'Create account · Loft';
  if (pathname === '/signin') return 'Sign in · Loft';
  return 'Loft';
}
