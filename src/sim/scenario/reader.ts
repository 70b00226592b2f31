/**
 * A small, path-aware reader for untyped scenario data (parsed JSON/YAML).
 *
 * Every accessor names the offending key in its error (`load[1].current_ma must be …`), and
 * `done()` rejects keys nobody asked for, with a did-you-mean suggestion, so a typo never silently
 * falls back to a default. All errors are UsageError (exit 2) with code SCENARIO_INVALID.
 */
import { UsageError } from '../../errors.js';

export const SCENARIO_DOCS_HINT = 'see docs/scenarios.md for every key, its unit and an example';

export function scenarioError(source: string, message: string, hint = SCENARIO_DOCS_HINT): UsageError {
  return new UsageError(`scenario ${source}: ${message}`, { code: 'SCENARIO_INVALID', hint, details: { source } });
}

/** How a value looks in an error message: short, one line. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Levenshtein distance, for did-you-mean suggestions on short key names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds from `90`, `"90"`, `"90s"`, `"15m"`, `"1h30m"`, `"2.5h"`, `"1d"`; undefined if it is none of those. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase().replace(/\s+/g, '');
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
  let seconds = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) seconds += Number(m[1]) * DURATION_UNITS[m[2]];
  return seconds;
}

/** Hours (0–24) from `6`, `6.5` or `"06:30"`; undefined otherwise. */
export function parseHour(value: unknown): number | undefined {
  if (typeof value === 'number') return value >= 0 && value <= 24 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  if (!m || Number(m[2]) > 59) return undefined;
  const hours = Number(m[1]) + Number(m[2]) / 60;
  return hours <= 24 ? hours : undefined;
}

export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclusive lower bound (e.g. a capacity must be > 0). */
  above?: number;
  integer?: boolean;
}

function describeRule(rule: NumberRule): string {
  const parts: string[] = [rule.integer ? 'an integer' : 'a number'];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined && rule.max !== undefined) parts.push(`from ${rule.min} to ${rule.max}`);
  else if (rule.min !== undefined) parts.push(`≥ ${rule.min}`);
  else if (rule.max !== undefined) parts.push(`≤ ${rule.max}`);
  return parts.join(' ');
}

/** The keys of one mapping in the file, read one by one. */
export class Fields {
  readonly source: string;
  readonly path: string;
  private readonly values: Record<string, unknown>;
  private readonly seen = new Set<string>();

  constructor(value: unknown, path: string, source: string) {
    this.source = source;
    this.path = path;
    if (!isPlainObject(value)) throw scenarioError(source, `${path || 'the file'} must be a mapping of keys to values, got ${show(value)}`);
    this.values = value;
  }

  /** `path.key` as shown in errors. */
  at(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  fail(key: string, problem: string): never {
    throw scenarioError(this.source, `${this.at(key)} ${problem}`);
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  /** The raw value (marks the key as known). */
  raw(key: string): unknown {
    this.seen.add(key);
    return this.values[key];
  }

  number(key: string, rule: NumberRule): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!rule.integer || Number.isInteger(value)) &&
      (rule.min === undefined || value >= rule.min) &&
      (rule.max === undefined || value <= rule.max) &&
      (rule.above === undefined || value > rule.above);
    if (!ok) this.fail(key, `must be ${describeRule(rule)}, got ${show(value)}`);
    return value as number;
  }

  requiredNumber(key: string, rule: NumberRule): number {
    const n = this.number(key, rule);
    if (n === undefined) {
      const typo = Object.keys(this.values).find((k) => !this.seen.has(k) && editDistance(k.toLowerCase(), key) <= 2);
      this.fail(key, `is required (${describeRule(rule)})${typo ? `; is ${this.at(typo)} a misspelling of it?` : ''}`);
    }
    return n;
  }

  string(key: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(key, `must be text, got ${show(value)}`);
    return value;
  }

  /** One of `choices`, compared case-insensitively; returns the spelling in `choices`. */
  choice<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    const found = typeof value === 'string' ? choices.find((c) => c.toLowerCase() === value.trim().toLowerCase()) : undefined;
    if (!found) this.fail(key, `must be one of ${choices.join(', ')}, got ${show(value)}`);
    return found;
  }

  duration(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    const seconds = parseDuration(value);
    if (seconds === undefined) this.fail(key, `must be a time: seconds, or a number with a unit such as "90s", "15m", "2h", "1h30m", "1d"; got ${show(value)}`);
    return seconds;
  }

  hour(key: string): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    const hours = parseHour(value);
    if (hours === undefined) this.fail(key, `must be an hour of the day: 0–24 or "HH:MM", got ${show(value)}`);
    return hours;
  }

  boolean(key: string): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(key, `must be true or false, got ${show(value)}`);
    return value;
  }

  /** A nested mapping. */
  fields(key: string): Fields | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    return new Fields(value, this.at(key), this.source);
  }

  /** A list (a single non-list value counts as a list of one when `single` is true). */
  list(key: string, single = false): { value: unknown; path: string }[] | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value.map((v, i) => ({ value: v, path: `${this.at(key)}[${i}]` }));
    if (single) return [{ value, path: this.at(key) }];
    this.fail(key, `must be a list, got ${show(value)}`);
  }

  /** Rejects any key that no accessor asked for. Call after reading everything. */
  done(): void {
    for (const key of Object.keys(this.values)) {
      if (this.seen.has(key)) continue;
      const known = [...this.seen];
      const best = known
        .map((k) => ({ k, d: editDistance(key.toLowerCase(), k) }))
        .sort((a, b) => a.d - b.d)[0];
      const guess = best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? `did you mean ${best.k}? ` : '';
      throw scenarioError(
        this.source,
        `unknown key ${this.at(key)}`,
        `${guess}keys allowed ${this.path ? `in ${this.path}` : 'at the top level'}: ${known.join(', ')} (docs/scenarios.md)`,
      );
    }
  }
}
