/**
 * One process per ledger file: `<ledger>.lock` (src/util/lockfile.ts: created exclusively, holds
 * the owner's pid and host; a lock whose process is gone is taken over). Several fixtures share a
 * file ledger from one process (`-P A -P B`); stations in several processes use PostgreSQL.
 */
import { hostname } from 'node:os';
import { LtobmsError } from '../errors.js';
import { acquireLock, LockError, type HeldLock } from '../util/lockfile.js';

export function lockPathOf(ledger: string): string {
  return `${ledger}.lock`;
}

/** Takes `<ledger>.lock`, or says who holds it. */
export function takeLedgerLock(ledger: string): HeldLock {
  const lock = lockPathOf(ledger);
  try {
    return acquireLock(lock);
  } catch (err) {
    if (!(err instanceof LockError)) throw err;
    if (err.reason === 'io' || !err.owner) {
      throw new LtobmsError(err.message, { code: 'LEDGER_IO', hint: 'check the permissions of the ledger folder' });
    }
    const owner = err.owner;
    const sameHost = owner.host === undefined || owner.host === hostname();
    throw new LtobmsError(`the ledger ${ledger} is in use by another ltobms manufacture (pid ${owner.pid}${sameHost ? '' : ` on ${owner.host}`})`, {
      code: 'LEDGER_LOCKED',
      hint: sameHost
        ? 'one process per ledger file: stop the other run, drive all fixtures from one run (-p A -p B …), or share a PostgreSQL ledger (--ledger postgres://…)'
        : `stop the run on ${owner.host}; if it is gone, delete ${lock}`,
      details: { lock, owner },
    });
  }
}
