/**
 * Points in time as the user types them for `--from`, `--to` (ltobms report) and `--start`
 * (ltobms demo): an ISO 8601 date or date-time (`2026-11-21`, `2026-11-21T14:00`, with `Z` or an
 * offset; without one it is local time, as `Date` reads it), or seconds since the Unix epoch.
 */
import { UsageError } from '../errors.js';

/** The instant `text` names, in ms since the epoch; a usage error naming `option` otherwise. */
export function parseTimeOption(text: string, option: string): number {
  const trimmed = text.trim();
  if (/^\d{9,11}(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  if (/^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/.test(trimmed)) {
    const ms = Date.parse(trimmed.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`${option} ${text}: not a date or time`, {
    code: 'USAGE',
    hint: `give an ISO 8601 time such as 2026-11-21T14:00Z (or 2026-11-21), or seconds since 1970`,
  });
}
