/**
 * Exclusive lock files: one process at a time owns a resource (a production ledger, a log spool).
 *
 * The lock is a small JSON file `{"pid", "host", "since"}`. It is written to a private temporary
 * file first and then hard-linked to the lock path: link() fails with EEXIST if the lock exists,
 * like an O_EXCL create, but the lock never exists half-written, so a reader never mistakes a lock
 * being created for one whose writer died.
 *
 * A lock whose process is gone is taken over at once: a pid that no longer exists, or a zombie
 * (exited, not yet reaped by its parent: `kill(pid, 0)` still succeeds for it, /proc/PID/stat says
 * state Z). Two processes taking over the same stale lock cannot both win: the stale file is first
 * renamed away (only one rename of it succeeds) and checked to be the very lock judged stale; a
 * live lock moved by mistake is linked back. A lock from another host is never taken over (its
 * process cannot be checked from here). Locks held when the process exits are removed then.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** What a lock file says about its owner. Old spool locks hold only the pid. */
export interface LockOwner {
  pid: number;
  host?: string;
  since?: string;
}

export interface LockOptions {
  /**
   * A lock that names this very process: `refuse` (default; one holder even within a process, so
   * a second writer in the same program is caught) or `take-over` (a leftover of an instance that
   * was never closed, which only this process could have left).
   */
  ownPid?: 'refuse' | 'take-over';
}

/** Why a lock could not be taken: `held` by a live process (see `owner`), or an `io` failure. */
export class LockError extends Error {
  constructor(
    message: string,
    readonly reason: 'held' | 'io',
    readonly path: string,
    readonly owner?: LockOwner,
  ) {
    super(message);
    this.name = 'LockError';
  }
}

/** A lock this process holds. */
export interface HeldLock {
  readonly path: string;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

const held = new Set<string>();
let exitHookInstalled = false;

/** Takes the lock at `path` or throws a {@link LockError}. */
export function acquireLock(path: string, options: LockOptions = {}): HeldLock {
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const text = JSON.stringify(me) + '\n';
  const staging = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileOrThrow(staging, text, path);
  try {
    // Each round either creates the lock, finds it held (and throws), or clears a stale one.
    for (let round = 0; round < 8; round++) {
      if (tryLink(staging, path)) {
        registerHeld(path);
        return { path, release: () => releaseLock(path) };
      }
      const found = readLock(path);
      if (found === undefined) continue; // removed in the meantime: try again
      const owner = parseOwner(found);
      if (owner && ownerAlive(owner, options)) {
        throw new LockError(`${path} is held by pid ${owner.pid}${isThisHost(owner) ? '' : ` on ${owner.host}`}`, 'held', path, owner);
      }
      removeIfUnchanged(path, found);
    }
    throw new LockError(`${path} kept changing while it was being taken`, 'io', path);
  } finally {
    rmSync(staging, { force: true });
  }
}

/** The owner named in a lock file, if it exists and can be read. */
export function readLockOwner(path: string): LockOwner | undefined {
  const text = readLock(path);
  return text === undefined ? undefined : parseOwner(text);
}

/** Whether a process with this pid exists on this machine and has not exited (a zombie has). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false; // no procfs (not Linux): trust kill(0)
  }
  // "pid (comm) S …": comm may itself contain ") ", so the state follows the last one.
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'Z' || state === 'X';
}

function isThisHost(owner: LockOwner): boolean {
  return owner.host === undefined || owner.host === hostname();
}

function ownerAlive(owner: LockOwner, options: LockOptions): boolean {
  if (!isThisHost(owner)) return true;
  if (owner.pid === process.pid) return options.ownPid !== 'take-over';
  return processAlive(owner.pid);
}

/** JSON lock, or a bare pid (the spool's older format); undefined for an empty or cut-off file. */
function parseOwner(text: string): LockOwner | undefined {
  const bare = text.trim();
  if (/^\d+$/.test(bare)) return { pid: Number(bare) };
  try {
    const value = JSON.parse(bare) as Partial<LockOwner>;
    if (Number.isInteger(value.pid) && (value.pid as number) > 0) return value as LockOwner;
  } catch {
    // fall through: unreadable, its writer died while writing it
  }
  return undefined;
}

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new LockError(`cannot create the lock file ${to}: ${(err as Error).message}`, 'io', to);
  }
}

function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LockError(`cannot read the lock file ${path}: ${(err as Error).message}`, 'io', path);
  }
}

/**
 * Removes the stale lock `expected` from `path`, but never a lock someone else has just created
 * in its place: the file is renamed aside (atomic, so of two removers only one gets it) and, if
 * what was moved is not the stale lock, put back.
 */
function removeIfUnchanged(path: string, expected: string): void {
  const aside = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.stale`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new LockError(`cannot remove the stale lock ${path}: ${(err as Error).message}`, 'io', path);
  }
  try {
    if (readFileSync(aside, 'utf8') !== expected) tryLink(aside, path);
  } finally {
    rmSync(aside, { force: true });
  }
}

function writeFileOrThrow(file: string, text: string, lock: string): void {
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (err) {
    throw new LockError(`cannot create the lock file ${lock}: ${(err as Error).message}`, 'io', lock);
  }
}

function registerHeld(path: string): void {
  held.add(path);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const p of [...held]) releaseLock(p);
    });
  }
}

function releaseLock(path: string): void {
  held.delete(path);
  if (readLockOwner(path)?.pid === process.pid) rmSync(path, { force: true });
}
