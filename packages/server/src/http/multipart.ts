import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { errors, isLoftError, LoftError } from '../errors.js';
import type { App } from './types.js';

/**
 * Registers the multipart parser in a plugin scope: files of any size, streamed one at a time; a
 * filename may carry a relative path ("a/b.txt").
 */
export async function registerMultipart(app: App): Promise<void> {
  await app.register(multipart, {
    preservePath: true,
    limits: {
      fileSize: Number.MAX_SAFE_INTEGER,
      files: 10_000,
      parts: 20_000,
      fields: 10_000,
      fieldSize: 64 * 1024,
    },
    throwFileSizeLimit: true,
  } as Parameters<typeof multipart>[1]);
}

/** 415 unless the request is multipart/form-data. */
export function requireMultipart(req: FastifyRequest): void {
  if (!req.isMultipart()) throw new LoftError('unsupported_media_type', 'Send files as multipart/form-data.');
}

/** The multipart parser fails with plain Errors on a malformed or cut-off body: the client's fault, not ours. */
const malformedMultipart = (e: unknown) =>
  isLoftError(e) || typeof (e as { statusCode?: unknown } | null)?.statusCode === 'number'
    ? e
    : errors.badRequest('The multipart body is malformed or ended early.');

/** The request's file parts, one at a time; a malformed body is a 400. */
export async function* multipartFiles(req: FastifyRequest): AsyncGenerator<MultipartFile> {
  try {
    yield* req.files();
  } catch (e) {
    throw malformedMultipart(e);
  }
}

/**
 * Waits for one file part to be stored. The parser destroys the part's stream with its error when
 * the body is cut off or malformed: that is a 400, not the storing code's failure.
 */
export async function storePart<T>(part: MultipartFile, store: Promise<T>): Promise<T> {
  const r = await store.catch((e: unknown) => {
    throw part.file.errored && !isLoftError(e) ? malformedMultipart(part.file.errored) : e;
  });
  if (part.file.truncated) throw errors.badRequest('File too large.');
  return r;
}
