/**
 * A sink takes batches of line-protocol lines (timestamps in ns) and stores them. It either
 * resolves (stored), or rejects with a {@link WriteError} that says whether trying again later can
 * succeed (`retryable`: keep the points in the spool) or not (the batch goes to the dead-letter file).
 */
export interface Sink {
  /** Safe to print: never contains a token or a password. */
  readonly description: string;
  /**
   * True when a resolved write is already on local disk (the file sink): such a sink needs no spool
   * in front of it.
   */
  readonly durable: boolean;
  write(lines: readonly string[]): Promise<void>;
  /** A durable sink's synchronous write (on disk when it returns); throws a {@link WriteError}. */
  writeSync?(lines: readonly string[]): void;
  close(): Promise<void>;
}

export class WriteError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** The server's own explanation, when it gave one. */
    readonly serverMessage?: string,
    /** A server's Retry-After, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'WriteError';
  }
}

/**
 * Which HTTP statuses are worth retrying. 5xx, 429 and 408 are the server's trouble; 401/403/404
 * (bad token, missing database or bucket) are configuration trouble that the user fixes while the
 * points wait in the spool. Every other 4xx rejects the data itself: retrying cannot help.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408 || status === 401 || status === 403 || status === 404;
}

/** Error codes of the network layer that mean "the server is not reachable right now". */
export function isNetworkError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string }; name?: string } | undefined;
  const code = e?.code ?? e?.cause?.code;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.name === 'RequestTimedOutError') return true;
  return (
    code !== undefined &&
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
      'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
      'UND_ERR_CLOSED'].includes(code)
  );
}

/** Parses a Retry-After header (seconds) into ms, capped at a minute. */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 60_000) : undefined;
}

/** The human text of an error from the network layer (fetch hides the useful part in `cause`). */
export function networkMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  return e?.cause?.message ?? e?.message ?? String(err);
}

/** The WriteError for a failure below HTTP: a timeout, an unreachable server, anything else. */
export function transportError(err: unknown, timeoutMs: number): WriteError {
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'RequestTimedOutError') {
    return new WriteError(`no answer within ${timeoutMs / 1000} s`, true);
  }
  if (isNetworkError(err)) return new WriteError(`cannot reach the server: ${networkMessage(err)}`, true);
  return new WriteError(`write failed: ${networkMessage(err)}`, true);
}
