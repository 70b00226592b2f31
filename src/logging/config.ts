/**
 * Where `ltobms log` writes: resolved from command-line flags, then the environment, then a `.env`
 * file (dotenv syntax), key by key, using the original project's key names. Nothing here prints,
 * and {@link describeTarget} never includes the token or the password.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { UsageError } from '../errors.js';
import { addSecrets, addUrlSecrets, decodeSafely, redact } from './redact.js';

export const ENV_KEYS = [
  'INFLUXDB_URL',
  'INFLUXDB_TOKEN',
  'INFLUXDB_ORG',
  'INFLUXDB_BUCKET',
  'INFLUXDB_DB',
  'INFLUXDB_USER',
  'INFLUXDB_PASSWORD',
  'INFLUXDB_RP',
  'LTOBMS_DATA_DIR',
] as const;
export type EnvKey = (typeof ENV_KEYS)[number];
export type ConfigSource = 'flag' | 'environment' | '.env';

export type TargetKind = 'file' | 'influx1' | 'influx2';

export type Target =
  | { kind: 'file'; outDir: string }
  | { kind: 'influx1'; url: string; db: string; rp?: string; user?: string; password?: string }
  | { kind: 'influx2'; url: string; token: string; org: string; bucket: string };

export interface LogConfig {
  target: Target;
  /** Spool, dead letters and (by default) the daily line-protocol files live here. */
  dataDir: string;
  /** Where each value came from (for `-v`); secrets are only named, never shown. */
  sources: Partial<Record<EnvKey, ConfigSource>>;
  /** The `.env` file that was read, if any. */
  envFile: string | undefined;
}

export interface ConfigInput {
  /** Values given as flags, by key. */
  flags: Partial<Record<EnvKey, string | undefined>>;
  env: NodeJS.ProcessEnv;
  /** `.env` path from `--dotenv`; without it `./.env` is read if it exists. */
  envFile?: string;
  target?: TargetKind | 'auto';
  /** `--out-dir` for the file target. */
  outDir?: string;
  cwd?: string;
}

/** The default data folder: `$LTOBMS_DATA_DIR`, else `./ltobms-data` in the working directory. */
export const DEFAULT_DATA_DIR = 'ltobms-data';

export function resolveConfig(input: ConfigInput): LogConfig {
  const cwd = input.cwd ?? process.cwd();
  let fileValues: Record<string, string> = {};
  let envFile: string | undefined;
  if (input.envFile !== undefined) {
    envFile = resolve(cwd, input.envFile);
    if (!existsSync(envFile)) {
      throw new UsageError(`env file ${input.envFile} does not exist`, {
        code: 'LOG_ENV_FILE',
        hint: 'copy .env.example to .env and fill it in, or leave out --dotenv',
      });
    }
  } else if (existsSync(resolve(cwd, '.env'))) {
    envFile = resolve(cwd, '.env');
  }
  if (envFile) fileValues = parseDotenv(readFileSync(envFile));

  const sources: Partial<Record<EnvKey, ConfigSource>> = {};
  const get = (key: EnvKey): string | undefined => {
    const candidates: [string | undefined, ConfigSource][] = [
      [input.flags[key], 'flag'],
      [input.env[key], 'environment'],
      [fileValues[key], '.env'],
    ];
    for (const [value, source] of candidates) {
      if (value !== undefined && value.trim() !== '') {
        sources[key] = source;
        return value.trim();
      }
    }
    return undefined;
  };

  const dataDir = resolve(cwd, get('LTOBMS_DATA_DIR') ?? DEFAULT_DATA_DIR);
  const rawUrl = get('INFLUXDB_URL');
  const db = get('INFLUXDB_DB');
  const v2 = { token: get('INFLUXDB_TOKEN'), org: get('INFLUXDB_ORG'), bucket: get('INFLUXDB_BUCKET') };
  const v1 = { user: get('INFLUXDB_USER'), password: get('INFLUXDB_PASSWORD'), rp: get('INFLUXDB_RP') };
  // Secrets are registered before anything can fail, so no message below can show them.
  addSecrets(v2.token, v1.password);
  const parsedUrl = rawUrl === undefined ? undefined : parseServerUrl(rawUrl);
  const url = parsedUrl?.base;
  // A credential in the URL counts like its key (the key, when both are given, wins).
  v1.user ??= parsedUrl?.user;
  v1.password ??= parsedUrl?.password;
  v2.token ??= parsedUrl?.token;

  let kind: TargetKind;
  if (input.target && input.target !== 'auto') kind = input.target;
  else if (db !== undefined && v2.bucket !== undefined) {
    throw new UsageError('both INFLUXDB_DB (InfluxDB 1.x) and INFLUXDB_BUCKET (InfluxDB 2.x) are set', {
      code: 'LOG_TARGET_AMBIGUOUS',
      hint: 'remove one of them, or choose with --target influx1 or --target influx2',
    });
  } else if (db !== undefined) kind = 'influx1';
  else if (url !== undefined || v2.bucket !== undefined || v2.org !== undefined || v2.token !== undefined) kind = 'influx2';
  else kind = 'file';

  let target: Target;
  if (kind === 'file') {
    target = { kind, outDir: resolve(cwd, input.outDir ?? resolve(dataDir, 'log')) };
  } else if (kind === 'influx1') {
    if (db === undefined) {
      throw new UsageError('InfluxDB 1.x needs a database name', {
        code: 'LOG_CONFIG',
        hint: 'set INFLUXDB_DB (or --db)',
      });
    }
    target = { kind, url: url ?? 'http://localhost:8086', db, ...definedOnly(v1) };
  } else {
    const missing = (['INFLUXDB_URL', 'INFLUXDB_TOKEN', 'INFLUXDB_ORG', 'INFLUXDB_BUCKET'] as const).filter(
      (k) => ({ INFLUXDB_URL: url, INFLUXDB_TOKEN: v2.token, INFLUXDB_ORG: v2.org, INFLUXDB_BUCKET: v2.bucket })[k] === undefined,
    );
    if (missing.length) {
      throw new UsageError(`InfluxDB 2.x is partly configured: ${missing.join(', ')} missing`, {
        code: 'LOG_CONFIG',
        hint: 'set all four INFLUXDB_URL/TOKEN/ORG/BUCKET (flags, environment or .env), or INFLUXDB_DB for InfluxDB 1.x',
      });
    }
    if (parsedUrl?.user !== undefined || parsedUrl?.password !== undefined) {
      throw new UsageError('InfluxDB 2.x takes a token, not a user name and password in INFLUXDB_URL', {
        code: 'LOG_CONFIG',
        hint: 'put the token in INFLUXDB_TOKEN (or --token) and leave the URL as http://host:8086',
      });
    }
    target = { kind, url: url!, token: v2.token!, org: v2.org!, bucket: v2.bucket! };
  }
  return { target, dataDir, sources, envFile };
}

function definedOnly<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}

/** A server URL with the credentials it carried taken out. */
interface ServerUrl {
  /** scheme://host[:port][/path], no trailing slash, no credentials, no query. */
  base: string;
  user?: string;
  password?: string;
  token?: string;
}

const URL_HINT = 'write it like http://localhost:8086 (credentials go in INFLUXDB_USER/INFLUXDB_PASSWORD or INFLUXDB_TOKEN)';

/**
 * Checks that a URL can work (http or https, a host, a port from 1 to 65535, no query left but
 * credentials) and takes out the credentials it carries: `user:password@`, InfluxDB 1.x's
 * `?u=…&p=…`, a `?token=…`. Every message shows the URL redacted.
 */
function parseServerUrl(text: string): ServerUrl {
  // Credentials first: a malformed URL's parts must be known to be secret before any message.
  addUrlSecrets(text);
  const shown = JSON.stringify(redact(text));
  const bad = (why: string) => new UsageError(`INFLUXDB_URL ${shown} ${why}`, { code: 'LOG_CONFIG', hint: URL_HINT });
  const port = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i.exec(text)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) throw bad(`has port ${port}, outside 1–65535`);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw bad('is not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`INFLUXDB_URL must start with http:// or https://, not ${parsed.protocol}`, { code: 'LOG_CONFIG', hint: URL_HINT });
  }
  if (!parsed.hostname) throw bad('names no host');
  const out: ServerUrl = { base: '' };
  if (parsed.username) out.user = decodeSafely(parsed.username);
  if (parsed.password) out.password = decodeSafely(parsed.password);
  const take = (...keys: string[]): string | undefined => {
    let value: string | undefined;
    for (const key of keys) {
      if (parsed.searchParams.has(key)) value ??= parsed.searchParams.get(key) ?? undefined;
      parsed.searchParams.delete(key);
    }
    return value === '' ? undefined : value;
  };
  out.user ??= take('u');
  out.password ??= take('p');
  out.token = take('token');
  addSecrets(out.password, out.token);
  if ([...parsed.searchParams.keys()].length || parsed.hash) {
    throw bad('has a query or fragment that ltobms cannot use');
  }
  out.base = `${parsed.protocol}//${parsed.host}${parsed.pathname}`.replace(/\/+$/, '');
  for (const key of ['user', 'password', 'token'] as const) if (out[key] === undefined) delete out[key];
  return out;
}

/** A one-line description safe to print: never the token or the password. */
export function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'file':
      return `line-protocol files in ${t.outDir}`;
    case 'influx1':
      return `InfluxDB 1.x at ${redact(t.url)}, database ${t.db}${t.rp ? `, retention policy ${t.rp}` : ''}${t.user ? `, user ${t.user}` : ''}`;
    case 'influx2':
      return `InfluxDB 2.x at ${redact(t.url)}, org ${t.org}, bucket ${t.bucket}`;
  }
}

/**
 * A stable name for the target, used for its spool folder, so points spooled for one database are
 * never sent to another after a configuration change.
 */
export function targetKey(t: Target): string {
  const identity =
    t.kind === 'file'
      ? t.outDir
      : t.kind === 'influx1'
        ? `${t.url}|${t.db}|${t.rp ?? ''}`
        : `${t.url}|${t.org}|${t.bucket}`;
  return `${t.kind}-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}
