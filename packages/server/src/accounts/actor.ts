/** Who is acting: resolved once per request by the HTTP layer, checked by every service call. */
export interface Actor {
  userId: string;
  username: string;
  role: 'user' | 'admin';
  tokenId: string;
  via: 'session' | 'pat';
}

export const isAdmin = (actor: Actor) => actor.role === 'admin';
