/**
 * The one redaction used wherever the log tail describes its target or passes on a message that
 * may name it (warnings, errors, `--json`, `-v`): a credential never reaches the terminal.
 *
 * Two layers, because a secret can appear where no URL parser sees it (a malformed URL in an
 * error, a server echoing a token): the shape of a URL (`user:password@`, and query parameters
 * that carry credentials such as InfluxDB 1.x's `?u=…&p=…` or a `?token=…`), and every secret
 * value the configuration read (token, password), wherever it appears.
 */

import { LtobmsError } from '../errors.js';

/** Query parameters that carry a credential. */
const SECRET_PARAM = /^(?:u|p|user|username|password|pass|pwd|passwd|token|auth|authorization|key|apikey|api_key|api-key|secret|access_token|access-token|sig|signature)$/i;
const MASK = '***';

const secrets = new Set<string>();

/**
 * Values that must never be printed (a token, a password). Kept for the life of the process: the
 * configuration that holds them lives as long.
 */
export function addSecrets(...values: (string | undefined)[]): void {
  for (const value of values) {
    // One or two characters would mask ordinary words; the URL shapes still catch them.
    if (value !== undefined && value.length >= 3) secrets.add(value);
  }
}

/**
 * Registers the credentials a URL's text carries (the password of `user:password@`, the values of
 * credential query parameters), read by pattern so that a URL too malformed to parse is covered.
 */
export function addUrlSecrets(url: string): void {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(url)?.[1];
  if (userinfo?.includes(':')) addSecrets(decodeSafely(userinfo.slice(userinfo.indexOf(':') + 1)));
  for (const m of url.matchAll(/[?&;]([^=&#?;]+)=([^&#;]*)/g)) {
    if (SECRET_PARAM.test(decodeSafely(m[1]!)) && !/^(u|user|username)$/i.test(m[1]!)) addSecrets(decodeSafely(m[2]!));
  }
}

/** The text with every URL credential and every known secret value replaced by `***`. */
export function redact(text: string): string {
  let out = text
    // scheme://user:password@host → scheme://user:***@host; scheme://token@host → scheme://***@host
    .replace(/([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/gi, (_m, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return `${scheme}${colon < 0 ? MASK : `${userinfo.slice(0, colon)}:${MASK}`}@`;
    })
    // ?p=secret&token=… → ?p=***&token=***
    .replace(/([?&;])([^=&#\s?;]+)=([^&#\s;"']*)/g, (m, sep: string, key: string) =>
      SECRET_PARAM.test(decodeSafely(key)) ? `${sep}${key}=${MASK}` : m,
    );
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(MASK);
  }
  return out;
}

/** decodeURIComponent that leaves malformed escapes as they are. */
export function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The error with every credential in its message or hint masked (it may quote a URL or a server's
 * answer): what `ltobms log` and `ltobms run` throw to the CLI's error printer.
 */
export function redactError(err: unknown): unknown {
  if (!(err instanceof LtobmsError)) return err instanceof Error ? new Error(redact(err.message), { cause: err }) : err;
  const copy = new LtobmsError(redact(err.message), { code: err.code, hint: err.hint && redact(err.hint), exitCode: err.exitCode, details: err.details, cause: err });
  copy.name = err.name;
  return copy;
}
