/**
 * The one error catalogue. Codes are stable API: never rename or reuse one.
 * Every code is documented in docs/errors.md (a test checks that).
 */
export const ErrorCodes = {
  validation_failed: 400,
  invalid_name: 400,
  invalid_path: 400,
  invalid_cursor: 400,
  invalid_range: 416,
  bad_request: 400,
  incomplete_upload: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  account_banned: 403,
  forbidden: 403,
  csrf_rejected: 403,
  not_found: 404,
  method_not_allowed: 405,
  name_conflict: 409,
  username_taken: 409,
  email_taken: 409,
  not_a_folder: 409,
  not_a_file: 409,
  move_into_descendant: 409,
  root_immutable: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal_error: 500,
  service_unavailable: 503,
  quota_exceeded: 507,
  cross_owner_move: 409,
  link_password_required: 401,
  link_password_invalid: 401,
  link_forbidden: 403,
  link_expired: 410,
  link_exhausted: 410,
  invalid_xml: 400,
  locked: 423,
  lock_token_mismatch: 409,
  depth_too_deep: 403,
  property_protected: 403,
  bad_gateway: 502,
  missing_parent: 409,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export class LoftError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers the protocol needs (Retry-After, Content-Range). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'LoftError';
    this.status = ErrorCodes[code];
  }
}

export const isLoftError = (e: unknown): e is LoftError => e instanceof LoftError;

/** Factories keep messages consistent across REST, WebDAV and jobs. */
export const errors = {
  validation: (message: string, fields?: FieldError[]) =>
    new LoftError('validation_failed', message, fields ? { fields } : undefined),
  invalidName: (reason: string) => new LoftError('invalid_name', `Invalid name: ${reason}.`),
  invalidPath: (reason: string) => new LoftError('invalid_path', `Invalid path: ${reason}.`),
  invalidCursor: () =>
    new LoftError('invalid_cursor', 'The pagination cursor is not valid for this listing.'),
  badRequest: (message: string) => new LoftError('bad_request', message),
  incompleteUpload: (expected: number, got: number) =>
    new LoftError('incomplete_upload', `The upload ended after ${got} of ${expected} bytes.`, {
      expected,
      received: got,
    }),
  unauthenticated: () => new LoftError('unauthenticated', 'Sign in to continue.'),
  invalidCredentials: (message = 'Wrong username/email or password.') =>
    new LoftError('invalid_credentials', message),
  banned: () => new LoftError('account_banned', 'This account has been suspended.'),
  forbidden: (message = 'You are not allowed to do that.') => new LoftError('forbidden', message),
  csrf: () => new LoftError('csrf_rejected', 'Cross-site request refused. Reload the page and try again.'),
  notFound: (what = 'Item') => new LoftError('not_found', `${what} not found.`),
  nameConflict: (name: string) =>
    new LoftError('name_conflict', `An item named "${name}" already exists here.`, { name }),
  notAFolder: () => new LoftError('not_a_folder', 'That item is not a folder.'),
  crossOwnerMove: () =>
    new LoftError(
      'cross_owner_move',
      "Items cannot be moved between different owners' files. Copy them instead.",
    ),
  notAFile: () => new LoftError('not_a_file', 'That item is not a file.'),
  moveIntoDescendant: () =>
    new LoftError('move_into_descendant', 'A folder cannot be moved into itself or one of its subfolders.'),
  rootImmutable: () =>
    new LoftError('root_immutable', 'The root folder cannot be renamed, moved or deleted.'),
  preconditionFailed: () => new LoftError('precondition_failed', 'The item changed since you last read it.'),
  rangeNotSatisfiable: (size: number) =>
    new LoftError(
      'invalid_range',
      'The requested range is not satisfiable.',
      { size },
      {
        'content-range': `bytes */${size}`,
      },
    ),
  tooManyRequests: (retryAfterSeconds: number) =>
    new LoftError(
      'too_many_requests',
      `Too many attempts. Try again in ${retryAfterSeconds} seconds.`,
      { retryAfter: retryAfterSeconds },
      { 'retry-after': String(retryAfterSeconds) },
    ),
  quotaExceeded: (quota: number, used: number) =>
    new LoftError('quota_exceeded', 'Not enough storage space left for this upload.', { quota, used }),
  unavailable: (message: string) => new LoftError('service_unavailable', message),
  linkPasswordRequired: () =>
    new LoftError('link_password_required', 'This link is protected by a password. Enter it to continue.'),
  linkPasswordInvalid: () => new LoftError('link_password_invalid', 'Wrong password for this link.'),
  linkForbidden: (message: string) => new LoftError('link_forbidden', message),
  linkExpired: (expiresAt: number) => new LoftError('link_expired', 'This link has expired.', { expiresAt }),
  missingParent: () =>
    new LoftError('missing_parent', 'The folder this item would go into does not exist. Create it first.'),
  invalidXml: (message: string) => new LoftError('invalid_xml', message),
  locked: (lockRoot: string) =>
    new LoftError(
      'locked',
      'This item is locked by a WebDAV client (an editor has it open). Try again once it is closed.',
      { lockRoot },
    ),
  lockTokenMismatch: () =>
    new LoftError('lock_token_mismatch', 'That lock token does not belong to a lock on this item.'),
  depthTooDeep: (limit: number) =>
    new LoftError(
      'depth_too_deep',
      `Listing a whole tree at once is limited to ${limit} items; list it folder by folder (Depth: 1).`,
      { limit },
    ),
  propertyProtected: (name: string) =>
    new LoftError(
      'property_protected',
      `The property ${name} is computed by the server and cannot be changed.`,
    ),
  linkExhausted: (maxDownloads: number) =>
    new LoftError('link_exhausted', 'This link has reached its download limit.', { maxDownloads }),
};
