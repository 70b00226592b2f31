/**
 * The ledger in PostgreSQL, for stations in several processes or on several hosts. Reservations
 * and attempts are rows; numbers are allocated in transactions under unique constraints:
 *
 *   ltobms_reservation  sn PRIMARY KEY, uid, time, port, host      — "serial N reserved for chip UID"
 *   ltobms_attempt      id, sn, uid, result, time, step, entry (the file ledger's line as jsonb);
 *                       (sn, uid) REFERENCES ltobms_reservation, so no attempt names a number
 *                       that was not reserved for that very chip
 *
 * A new number is max(sn) + 1 (or --start-sn) inserted in a transaction; two stations that pick
 * the same number at once collide on the primary key, and the loser takes the next. The schema is
 * created on first use (under an advisory lock, so stations starting together do not race).
 *
 * `pg` is loaded only here, and this module only when a postgres:// ledger is used.
 */
import type { Pool, PoolClient } from 'pg';
import { LtobmsError, UsageError } from '../errors.js';
import { LedgerError, type Ledger, type LedgerContents, type LedgerEntry, type LedgerReservation, type LedgerStatus, type ReserveRequest, type SerialChoice } from './ledger.js';
import { keepOrNew, nextNumber, type ChipNumber } from './serial-book.js';

/** The schema, created on first use (README "PostgreSQL ledger" shows it too). */
export const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS ltobms_reservation (
  sn    integer PRIMARY KEY CHECK (sn BETWEEN 0 AND 65535),
  uid   text NOT NULL CHECK (uid ~ '^[0-9a-f]{20}$'),
  time  timestamptz NOT NULL DEFAULT now(),
  port  text,
  host  text,
  UNIQUE (sn, uid)
);
CREATE INDEX IF NOT EXISTS ltobms_reservation_uid ON ltobms_reservation (uid);
CREATE TABLE IF NOT EXISTS ltobms_attempt (
  id     bigserial PRIMARY KEY,
  sn     integer,
  uid    text,
  result text NOT NULL CHECK (result IN ('ok', 'failed')),
  time   timestamptz NOT NULL,
  step   text,
  entry  jsonb NOT NULL,
  CHECK (result = 'failed' OR (sn IS NOT NULL AND uid IS NOT NULL)),
  FOREIGN KEY (sn, uid) REFERENCES ltobms_reservation (sn, uid)
);
CREATE INDEX IF NOT EXISTS ltobms_attempt_uid ON ltobms_attempt (uid);
`;

/** Any 64-bit key, the same for every ltobms: serialises schema creation. */
const SCHEMA_LOCK = 0x6c746f626d73;
/** Unique violation, serialization failure, deadlock: another station was faster; try again. */
const RETRY_CODES = new Set(['23505', '40001', '40P01']);
const MAX_TRIES = 20;

/** The URL without its password, for messages. */
export function redactUrl(spec: string): string {
  try {
    const url = new URL(spec);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}

function describeFailure(err: unknown, location: string, doing: string): LedgerError {
  const e = err as { code?: string; message?: string };
  const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ENOTFOUND' ? 'unknown host' : (e.message ?? String(err)).replace(/password=\S+/g, 'password=***');
  const hint =
    e.code === '3D000'
      ? 'create the database first (createdb NAME), or name an existing one in the URL'
      : e.code === '28P01' || e.code === '28000'
        ? 'check the user and password in the URL (or PGPASSWORD / ~/.pgpass)'
        : 'check that the server runs and accepts connections from this host, and the URL (--ledger or LTOBMS_LEDGER)';
  return new LedgerError(`PostgreSQL ledger ${location}: ${doing}: ${why}`, { code: 'LEDGER_DB', hint, cause: err });
}

async function connectPool(spec: string): Promise<Pool> {
  try {
    new URL(spec);
  } catch {
    throw new UsageError(`--ledger ${redactUrl(spec)} is not a valid URL`, { code: 'USAGE', hint: 'e.g. --ledger postgres://user@dbhost/ltobms' });
  }
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: spec, max: 4, connectionTimeoutMillis: 10_000, application_name: 'ltobms manufacture' });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => undefined);
  return pool;
}

async function inTransaction<T>(pool: Pool, job: (c: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await job(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export class PostgresLedger implements Ledger {
  readonly kind = 'postgres';

  private constructor(
    private readonly pool: Pool,
    readonly location: string,
    private readonly startSn: number | undefined,
  ) {}

  /** Connects, creates the schema if it is missing, and checks that a number can be given. */
  static async open(spec: string, startSn: number | undefined): Promise<PostgresLedger> {
    const location = redactUrl(spec);
    const pool = await connectPool(spec);
    const ledger = new PostgresLedger(pool, location, startSn);
    try {
      await ledger.run('create the schema', () =>
        inTransaction(pool, async (c) => {
          await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
          await c.query(LEDGER_SCHEMA);
        }),
      );
      nextNumber(await ledger.highest(), startSn);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return ledger;
  }

  async status(): Promise<LedgerStatus> {
    const { rows } = await this.run('count the attempts', () => this.pool.query<{ n: string }>('SELECT count(*) AS n FROM ltobms_attempt'));
    return { entries: Number(rows[0]!.n), next: await this.next(), damaged: [] };
  }

  async reserve(request: ReserveRequest): Promise<SerialChoice> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(`reserve a number for ${request.uid}`, () => inTransaction(this.pool, (c) => this.reserveIn(c, request)));
      } catch (err) {
        const code = ((err as LedgerError).cause as { code?: string } | undefined)?.code;
        if (!code || !RETRY_CODES.has(code) || attempt >= MAX_TRIES) throw err;
      }
    }
  }

  async append(entry: LedgerEntry): Promise<void> {
    await this.run('record the attempt', () =>
      this.pool.query('INSERT INTO ltobms_attempt (sn, uid, result, time, step, entry) VALUES ($1, $2, $3, $4, $5, $6)', [entry.sn, entry.uid, entry.result, entry.time, entry.step ?? null, JSON.stringify(entry)]),
    );
  }

  async next(): Promise<number | null> {
    try {
      return nextNumber(await this.highest(), this.startSn);
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async reserveIn(c: PoolClient, request: ReserveRequest): Promise<SerialChoice> {
    const own = await c.query<{ sn: number; passed: boolean }>(
      `SELECT r.sn, EXISTS (SELECT 1 FROM ltobms_attempt a WHERE a.sn = r.sn AND a.uid = r.uid AND a.result = 'ok') AS passed
         FROM ltobms_reservation r WHERE r.uid = $1 ORDER BY r.sn DESC LIMIT 1`,
      [request.uid],
    );
    const had: ChipNumber | undefined = own.rows[0];
    const decision = keepOrNew(had, request.renumber);
    if ('keep' in decision) return decision.keep;
    const max = await c.query<{ max: number | null }>('SELECT max(sn) AS max FROM ltobms_reservation');
    const sn = nextNumber(max.rows[0]!.max ?? undefined, this.startSn);
    await c.query('INSERT INTO ltobms_reservation (sn, uid, port, host) VALUES ($1, $2, $3, $4)', [sn, request.uid, request.port, request.host]);
    return decision.renumberedFrom !== undefined ? { sn, reprogrammed: false, renumberedFrom: decision.renumberedFrom } : { sn, reprogrammed: false };
  }

  private async highest(): Promise<number | undefined> {
    const { rows } = await this.run('read the highest number', () => this.pool.query<{ max: number | null }>('SELECT max(sn) AS max FROM ltobms_reservation'));
    return rows[0]!.max ?? undefined;
  }

  /** Runs a database step; errors other than ledger rules become a LedgerError naming the step. */
  private async run<T>(doing: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof LtobmsError) throw err;
      throw describeFailure(err, this.location, doing);
    }
  }
}

/** Reads every record of a PostgreSQL ledger (for `--report`); an empty database has none. */
export async function readPostgresLedger(spec: string): Promise<LedgerContents> {
  const location = redactUrl(spec);
  const pool = await connectPool(spec);
  try {
    const present = await pool.query<{ t: string | null }>("SELECT to_regclass('ltobms_attempt') AS t").catch((err: unknown) => {
      throw describeFailure(err, location, 'connect');
    });
    if (!present.rows[0]!.t) return { entries: [], reservations: [], damaged: [] };
    const attempts = await pool.query<{ entry: LedgerEntry }>('SELECT entry FROM ltobms_attempt ORDER BY id');
    const reserved = await pool.query<{ sn: number; uid: string; time: Date; port: string | null; host: string | null }>('SELECT sn, uid, time, port, host FROM ltobms_reservation ORDER BY sn');
    const reservations: LedgerReservation[] = reserved.rows.map((r) => ({ sn: r.sn, uid: r.uid, result: 'reserved', time: r.time.toISOString(), ...(r.port ? { port: r.port } : {}), ...(r.host ? { host: r.host } : {}) }));
    return { entries: attempts.rows.map((r) => r.entry), reservations, damaged: [] };
  } finally {
    await pool.end().catch(() => undefined);
  }
}
