import { LoftApiError } from '@loft/sdk';

/** Bad command-line use: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure of this client (not the server's), printed with a code like the server's: exit code 1. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One line for stderr: `loft: <code>: <message>`. */
export function describeError(e: unknown): { line: string; exitCode: number } {
  if (e instanceof UsageError) return { line: `loft: usage: ${e.message}`, exitCode: 2 };
  if (e instanceof LoftApiError || e instanceof CliError)
    return { line: `loft: ${e.code}: ${e.message}`, exitCode: 1 };
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string' && typeof err.message === 'string')
    return { line: `loft: ${err.code.toLowerCase()}: ${err.message}`, exitCode: 1 };
  return { line: `loft: error: ${err?.message ?? String(e)}`, exitCode: 1 };
}
