/** Who is acting: resolved once per request by the HTTP layer, checked by every service call. */
export interface Actor {
  userId: string;
  username: string;
  role: 'user' | 'admin';
  /** The user's root folder, known from the token lookup so no request needs a query for it. */
  rootId: string;
  tokenId: string;
  via: 'session' | 'pat' | 'password';
  /**
   * WebDAV lock tokens the request submitted (the If header). Present only on WebDAV requests,
   * which follow RFC 4918 strictly: a lock must be proven by its token, even by its holder. Other
   * requests carry none and are refused only by locks someone else holds.
   */
  lockTokens?: readonly string[];
}

export const isAdmin = (actor: Actor) => actor.role === 'admin';
