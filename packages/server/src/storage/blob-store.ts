import type { Readable } from 'node:stream';

export interface BlobInfo {
  sha256: string;
  size: number;
}

/** Inclusive byte range, as in HTTP. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Content-addressed bytes. Callers never learn whether a blob is a file, chunks or an object:
 * put() returns only when the bytes are durable, and a blob is named by its SHA-256.
 */
export interface BlobStore {
  /** Prepares the store and drops leftovers of interrupted writes. */
  init(): Promise<void>;
  /**
   * Streams bytes in, hashing as they pass; resolves once they are durable under their hash.
   * Small contents already in memory may be given as a Buffer.
   */
  put(source: Readable | Buffer): Promise<BlobInfo>;
  /** Rejects with BlobNotFoundError when the blob is absent. */
  get(sha256: string, range?: ByteRange): Promise<Readable>;
  stat(sha256: string): Promise<{ size: number } | null>;
  /** Idempotent: deleting an absent blob succeeds. */
  delete(sha256: string): Promise<void>;
  /** Every stored blob, for the collector that finds bytes no row refers to. */
  list(): AsyncIterable<{ sha256: string; modifiedAt: number }>;
  /** Releases what the store holds open (threads, connections). */
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly sha256: string) {
    super(`blob ${sha256} not found`);
    this.name = 'BlobNotFoundError';
  }
}

export const isSha256 = (s: string) => /^[0-9a-f]{64}$/.test(s);
