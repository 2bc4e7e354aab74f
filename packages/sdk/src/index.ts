import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths } from './schema.js';

type Json<
  P extends keyof paths,
  M extends 'get' | 'post' | 'patch' | 'put' | 'delete',
  S extends number,
> = paths[P][M] extends { responses: { [K in S]: { content: { 'application/json': infer T } } } } ? T : never;

export type User = components['schemas']['User'];
export type Node = components['schemas']['Node'];
export type NodeWithPath = Json<'/api/nodes/{id}', 'get', 200>;
export type NodePage = Json<'/api/nodes/{id}/children', 'get', 200>;
export type TrashItem = Json<'/api/trash', 'get', 200>['items'][number];
export type Version = Json<'/api/nodes/{id}/versions', 'get', 200>['items'][number];
export type TokenInfo = Json<'/api/auth/sessions', 'get', 200>['items'][number];
export type ErrorBody = components['schemas']['Error'];
export type SortKey = 'name' | 'size' | 'modified';

export type LoftClient = Client<paths>;

export interface LoftClientOptions {
  /** Server origin, e.g. https://files.example.org; empty for same-origin use in the browser. */
  baseUrl?: string;
  /** Session token or personal access token, sent as a Bearer token. Browsers use the cookie instead. */
  token?: string;
  fetch?: ClientOptions['fetch'];
  headers?: Record<string, string>;
}

export function createLoftClient(options: LoftClientOptions = {}): LoftClient {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    credentials: 'same-origin',
  });
}

/** An error answered by the server (status ≥ 400) or a failure to reach it (status 0). */
export class LoftApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'LoftApiError';
  }

  /** Per-field problems of a validation error (register, rename, ...): field name → message. */
  get fields(): Record<string, string> {
    const list = this.details.fields;
    const out: Record<string, string> = {};
    if (Array.isArray(list))
      for (const f of list as Array<{ field?: unknown; message?: unknown }>)
        if (typeof f?.field === 'string' && typeof f.message === 'string' && !(f.field in out))
          out[f.field] = f.message;
    return out;
  }
}

export function toApiError(status: number, body: unknown): LoftApiError {
  const e = (body as Partial<ErrorBody> | null)?.error;
  if (e && typeof e.code === 'string')
    return new LoftApiError(
      status,
      e.code,
      e.message ?? e.code,
      (e.details ?? {}) as Record<string, unknown>,
    );
  return new LoftApiError(status, `http_${status}`, `The server answered ${status}.`);
}

/** Awaits an openapi-fetch call and returns its data, or throws a LoftApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch (e) {
    if ((e as Error)?.name === 'AbortError') throw e;
    throw new LoftApiError(0, 'network_error', 'Cannot reach the server. Check your connection.');
  }
  if (!r.response.ok) throw toApiError(r.response.status, r.error);
  return r.data as T;
}

const enc = encodeURIComponent;

/** URLs for the byte-carrying routes, which browsers and CLIs drive directly (downloads, uploads with progress). */
export const urls = {
  content: (id: string, version?: string) =>
    `/api/nodes/${enc(id)}/content` + (version ? `?version=${enc(version)}` : ''),
  folderZip: (id: string) => `/api/nodes/${enc(id)}/zip`,
  zip: (ids: string[]) => `/api/zip?ids=${ids.map(enc).join(',')}`,
  upload: (folderId: string, name: string, conflict: 'overwrite' | 'fail' | 'rename' = 'overwrite') =>
    `/api/nodes/${enc(folderId)}/files/${enc(name)}?conflict=${conflict}`,
};
