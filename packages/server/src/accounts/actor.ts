/** Who is acting: resolved once per request by the HTTP layer, checked by every service call. */
export interface Actor {
  userId: string;
  username: string;
  role: 'user' | 'admin';
  /** The user's root folder, known from the token lookup so no request needs a query for it. */
  rootId: string;
  tokenId: string;
  via: 'session' | 'pat';
}

export const isAdmin = (actor: Actor) => actor.role === 'admin';
