import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** base64url of 32 bytes. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Link tokens and visitor grants, both derived from the instance secret with HMAC-SHA256.
 *
 * The token of a link is base64url(HMAC(secret, link id)): 256 bits, shown to the owner again on
 * demand, while the database only holds sha256(token), so its rows alone never give a usable URL.
 *
 * A grant proves that a visitor gave the right password. It is `<expiry>.<mac>` where the MAC
 * covers the link id, the expiry and a digest of the current password hash: changing or removing
 * the password voids every grant at once, and no state is kept on the server.
 */
export class LinkSecrets {
  private readonly grantKey: Buffer;

  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('The instance secret must be at least 32 bytes');
    this.grantKey = createHmac('sha256', secret).update('loft link grant key').digest();
  }

  tokenFor(linkId: string): string {
    return createHmac('sha256', this.secret).update(linkId).digest('base64url');
  }

  static isWellFormed(token: string): boolean {
    return TOKEN_RE.test(token);
  }

  static hashToken(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  issueGrant(linkId: string, passwordHash: string | null, expiresAt: number): string {
    return `${expiresAt}.${this.grantMac(linkId, passwordHash, expiresAt)}`;
  }

  checkGrant(grant: string, linkId: string, passwordHash: string | null, now: number): boolean {
    const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(grant);
    if (!m) return false;
    const expiresAt = Number(m[1]);
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= now) return false;
    const expected = Buffer.from(this.grantMac(linkId, passwordHash, expiresAt));
    const given = Buffer.from(m[2]!);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private grantMac(linkId: string, passwordHash: string | null, expiresAt: number): string {
    const pw = createHash('sha256')
      .update(passwordHash ?? '')
      .digest('hex');
    return createHmac('sha256', this.grantKey).update(`${linkId}\n${expiresAt}\n${pw}`).digest('base64url');
  }
}
