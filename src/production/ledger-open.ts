/**
 * Opening a ledger by what `--ledger` (or LTOBMS_LEDGER) names: a postgres:// URL, or a file path.
 * The PostgreSQL backend (and with it `pg`) is loaded only for a URL.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isPostgresLedger, type Ledger, type LedgerContents } from './ledger.js';
import { FileLedger, readLedger } from './ledger-file.js';

export async function openLedger(spec: string, startSn: number | undefined): Promise<Ledger> {
  if (isPostgresLedger(spec)) {
    const { PostgresLedger } = await import('./ledger-postgres.js');
    return PostgresLedger.open(spec, startSn);
  }
  return FileLedger.open(resolve(spec), startSn);
}

/** Every record of a ledger, for `--report`; `location` is the path or the URL without password. */
export async function readLedgerContents(spec: string): Promise<{ location: string; contents: LedgerContents }> {
  if (isPostgresLedger(spec)) {
    const { readPostgresLedger, redactUrl } = await import('./ledger-postgres.js');
    return { location: redactUrl(spec), contents: await readPostgresLedger(spec) };
  }
  if (!existsSync(spec)) throw new UsageError(`ledger ${spec} does not exist`, { code: 'LEDGER_MISSING', hint: 'check the path (`ltobms manufacture` writes ltobms-ledger.jsonl by default)' });
  return { location: spec, contents: readLedger(spec) };
}
