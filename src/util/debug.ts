/**
 * Namespaced debug logging, off by default.
 *
 * Enabled with `-v/--verbose` (all `ltobms:*`) or `DEBUG=ltobms:updi:*` style patterns
 * (comma-separated, `*` as wildcard). Output goes to stderr so it never mixes with --json.
 */
let patterns: RegExp[] = parse(process.env.DEBUG ?? '');

function parse(spec: string): RegExp[] {
  return spec
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((p) => new RegExp('^' + p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
}

/** Turns debug output on for the given pattern list (e.g. `ltobms:*`). */
export function enableDebug(spec: string): void {
  patterns = parse(spec);
}

export type DebugFn = ((...args: unknown[]) => void) & { readonly enabled: boolean };

/** Returns a logger for one namespace, e.g. `debug('ltobms:updi:phy')`. */
export function debug(namespace: string): DebugFn {
  const fn = (...args: unknown[]) => {
    if (!patterns.some((p) => p.test(namespace))) return;
    const text = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    process.stderr.write(`${namespace} ${text}\n`);
  };
  Object.defineProperty(fn, 'enabled', { get: () => patterns.some((p) => p.test(namespace)) });
  return fn as DebugFn;
}
