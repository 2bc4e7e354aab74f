import type { LoftError } from '../../errors.js';
import type { ErrorRenderer } from '../error-handler.js';
import { escapeXml } from './dav-xml.js';

/** Loft's own elements in WebDAV error bodies: the stable code and the message. */
export const LOFT_NS = 'https://loft.dev/ns';

export const BASIC_CHALLENGE = 'Basic realm="Loft", charset="UTF-8"';

/** RFC 4918 §16 precondition elements for the catalogue codes that have one. */
function precondition(err: LoftError, method: string): string {
  switch (err.code) {
    case 'locked': {
      const root = typeof err.details?.lockRoot === 'string' ? err.details.lockRoot : '';
      const tag = method === 'LOCK' ? 'no-conflicting-lock' : 'lock-token-submitted';
      return `<D:${tag}><D:href>${escapeXml(root)}</D:href></D:${tag}>`;
    }
    case 'lock_token_mismatch':
      return '<D:lock-token-matches-request-uri/>';
    case 'depth_too_deep':
      return '<D:propfind-finite-depth/>';
    case 'property_protected':
      return '<D:cannot-modify-protected-property/>';
  }
  return '';
}

/**
 * Errors as WebDAV clients expect them: the status, and an XML body with the RFC precondition
 * where there is one, plus Loft's code and message for people reading logs.
 */
export const davRenderer: ErrorRenderer = {
  render(reply, err) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
    if (err.status === 401) reply.header('www-authenticate', BASIC_CHALLENGE);
    const body =
      '<?xml version="1.0" encoding="utf-8"?>\n' +
      `<D:error xmlns:D="DAV:" xmlns:L="${LOFT_NS}">${precondition(err, reply.request.method)}` +
      `<L:code>${err.code}</L:code><L:message>${escapeXml(err.message)}</L:message></D:error>\n`;
    void reply.status(err.status).type('application/xml; charset=utf-8').send(body);
  },
};
