import { useSyncExternalStore } from 'react';

/** History-API routing: the URL is the state, so back/forward and deep links just work. */
const NAV_EVENT = 'loft:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(NAV_EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(NAV_EVENT, cb);
  };
}

const snapshot = () => location.pathname + location.search;

export function useLocation(): { pathname: string; search: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  const url = new URL(href, location.origin);
  return { pathname: url.pathname, search: url.searchParams, href };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAV_EVENT));
}

/** /files/a/b → ['a', 'b']; each segment percent-decoded (names may hold any character but '/'). */
export function filesPathSegments(pathname: string): string[] | null {
  if (pathname !== '/files' && !pathname.startsWith('/files/')) return null;
  return pathname
    .slice('/files'.length)
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

export function filesHref(segments: string[]): string {
  return '/files' + segments.map((s) => '/' + encodeURIComponent(s)).join('');
}

/** Server paths look like "/a/b/c"; the root is "/". */
export function segmentsOfPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Only same-origin app paths are followed after sign-in: never "//evil.example" or a full URL. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/files';
  return next;
}
