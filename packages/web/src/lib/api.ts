import { createLoftClient, LoftApiError, toApiError, unwrap, type User } from '@loft/sdk';
import { Store } from './store.js';

/** Same-origin client: the HttpOnly session cookie authenticates, so no token is ever in JS. */
export const api = createLoftClient();

/** The signed-in user; undefined while the first /api/me is in flight, null when signed out. */
export const session = new Store<User | null | undefined>(undefined);

/** Raised when a call finds the session gone, so the app can send the person to sign in. */
export const sessionExpired = new Store(0);

export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  try {
    return await unwrap(p);
  } catch (e) {
    noticeExpiry(e);
    throw e;
  }
}

export function noticeExpiry(e: unknown): void {
  if (e instanceof LoftApiError && e.status === 401 && e.code === 'unauthenticated' && session.get()) {
    session.set(null);
    sessionExpired.set((n) => n + 1);
  }
}

export async function refreshMe(): Promise<User | null> {
  try {
    const { user } = await unwrap(api.GET('/api/me'));
    session.set(user);
    return user;
  } catch (e) {
    if (e instanceof LoftApiError && e.status === 401) {
      session.set(null);
      return null;
    }
    throw e;
  }
}

/** Error text for people: the server's message is already written for humans; a few get context. */
export function humanError(e: unknown): string {
  if (e instanceof LoftApiError) {
    switch (e.code) {
      case 'network_error':
        return 'Cannot reach the server. Check your connection and try again.';
      case 'quota_exceeded':
        return 'Not enough storage space left. Free some space or ask your administrator for more.';
      case 'too_many_requests':
        return 'Too many attempts. Wait a moment and try again.';
      case 'unauthenticated':
        return 'Your session has ended. Sign in again.';
      case 'internal_error':
        return 'Something went wrong on the server. Try again in a moment.';
      default:
        return e.message;
    }
  }
  if (e instanceof Error && e.name === 'AbortError') return 'Canceled.';
  return 'Something went wrong. Try again.';
}

export async function parseErrorResponse(status: number, text: string): Promise<LoftApiError> {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: a proxy's page */
  }
  return toApiError(status, body);
}

export { LoftApiError };
