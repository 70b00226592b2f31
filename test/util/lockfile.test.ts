// The exclusive lock file behind the production ledger and the log spool: real processes race for
// it, die holding it, or linger as zombies; exactly one live holder at any time.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { acquireLock, LockError, processAlive, readLockOwner } from '../../src/util/lockfile.js';

const LOCKFILE_MODULE = new URL('../../src/util/lockfile.js', import.meta.url).href;

function tempFolder(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A pid that existed a moment ago and has exited (and been reaped). */
function deadPid(): number {
  return Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
}

/**
 * A child process that takes the lock on "go", answers "got" or "held <pid>", releases it on
 * "release" and exits on "exit" (without releasing: the exit hook must do it).
 */
class Contender {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: string[] = [];
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;

  constructor(lockPath: string) {
    const script = `
      const { acquireLock, LockError } = await import(process.argv[1]);
      let lock;
      const rl = (await import('node:readline')).createInterface({ input: process.stdin });
      process.stdout.write('ready\\n');
      for await (const line of rl) {
        if (line === 'go') {
          try { lock = acquireLock(process.argv[2]); process.stdout.write('got\\n'); }
          catch (e) { process.stdout.write(e instanceof LockError && e.reason === 'held' ? 'held ' + e.owner.pid + '\\n' : 'error ' + e.message + '\\n'); }
        } else if (line === 'release') { lock.release(); process.stdout.write('released\\n'); }
        else if (line === 'exit') process.exit(0);
      }`;
    this.child = spawn(process.execPath, ['--input-type=module', '-e', script, LOCKFILE_MODULE, lockPath]);
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const w = this.waiting;
      this.waiting = undefined;
      if (w) w.resolve(line);
      else this.lines.push(line);
    });
    this.child.once('exit', (code) => this.waiting?.reject(new Error(`contender exited (${code}) before answering`)));
  }

  send(line: string): void {
    this.child.stdin.write(line + '\n');
  }

  next(): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.child.exitCode !== null) return Promise.reject(new Error('contender has exited'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  exited(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }
}

test('two processes racing for one lock: exactly one gets it, with or without a stale lock in the way', async (t) => {
  const dir = tempFolder(t);
  const path = join(dir, 'lock');
  const a = new Contender(path);
  const b = new Contender(path);
  t.after(() => {
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  });
  assert.equal(await a.next(), 'ready');
  assert.equal(await b.next(), 'ready');
  const stale = deadPid();
  for (let round = 0; round < 100; round++) {
    // Every other round both find the lock of a process that is gone and try to take it over.
    if (round % 2 === 1) writeFileSync(path, JSON.stringify({ pid: stale, host: hostname() }) + '\n');
    a.send('go');
    b.send('go');
    const answers = [await a.next(), await b.next()];
    assert.equal(answers.filter((x) => x === 'got').length, 1, `round ${round}: ${answers.join(', ')}`);
    const winner = answers[0] === 'got' ? a : b;
    const loserAnswer = answers[0] === 'got' ? answers[1] : answers[0];
    assert.equal(loserAnswer, `held ${winner.child.pid}`, `round ${round}: the loser names the winner`);
    assert.equal(readLockOwner(path)?.pid, winner.child.pid);
    winner.send('release');
    assert.equal(await winner.next(), 'released');
    assert.ok(!existsSync(path), `round ${round}: released`);
  }
  assert.deepEqual(readdirSync(dir), [], 'no staging or stale files left behind');
  a.send('exit');
  b.send('exit');
  await Promise.all([a.exited(), b.exited()]);
});

test('a lock still held when its process exits is removed by the exit; one killed outright is taken over', async (t) => {
  const dir = tempFolder(t);
  const path = join(dir, 'lock');
  const holder = new Contender(path);
  t.after(() => holder.child.kill('SIGKILL'));
  assert.equal(await holder.next(), 'ready');
  holder.send('go');
  assert.equal(await holder.next(), 'got');
  holder.send('exit');
  await holder.exited();
  assert.ok(!existsSync(path), 'process.exit released the lock');

  const killed = new Contender(path);
  t.after(() => killed.child.kill('SIGKILL'));
  assert.equal(await killed.next(), 'ready');
  killed.send('go');
  assert.equal(await killed.next(), 'got');
  killed.child.kill('SIGKILL');
  await killed.exited();
  assert.equal(readLockOwner(path)?.pid, killed.child.pid, 'SIGKILL leaves the lock behind');
  const lock = acquireLock(path);
  assert.equal(readLockOwner(path)?.pid, process.pid);
  lock.release();
  assert.ok(!existsSync(path));
});

test("a dead process's lock is taken over at once, in either file format (JSON or the spool's bare pid)", (t) => {
  const dir = tempFolder(t);
  const path = join(dir, 'lock');
  for (const text of [JSON.stringify({ pid: deadPid(), host: hostname(), since: '2024-01-01T00:00:00Z' }) + '\n', `${deadPid()}\n`, '']) {
    writeFileSync(path, text);
    const lock = acquireLock(path);
    const owner = readLockOwner(path);
    assert.equal(owner?.pid, process.pid);
    assert.equal(owner?.host, hostname());
    lock.release();
    lock.release();
    assert.ok(!existsSync(path));
  }
});

test("a zombie's lock (exited, not reaped: kill(pid, 0) still succeeds) is taken over at once", async (t) => {
  if (!existsSync('/proc/self/stat')) return t.skip('needs /proc');
  const dir = tempFolder(t);
  const path = join(dir, 'lock');
  // sh keeps its stdin as fd 3, starts a child that waits for a line on it, prints the child's pid
  // and becomes `sleep`, which never reaps a child. Once sleep runs, the line lets the child exit.
  const parent = spawn('sh', ['-c', 'exec 3<&0; { read x <&3; } & echo $!; exec sleep 600']);
  t.after(() => parent.kill('SIGKILL'));
  const zombie = Number(await new Promise<string>((resolve) => createInterface({ input: parent.stdout }).once('line', resolve)));
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((r) => setTimeout(r, 5));
  };
  await until(() => readFileSync(`/proc/${parent.pid}/comm`, 'latin1').trim() === 'sleep');
  parent.stdin.write('\n');
  await until(() => {
    const stat = readFileSync(`/proc/${zombie}/stat`, 'latin1');
    return stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
  });
  process.kill(zombie, 0); // does not throw: to kill(0) a zombie still exists
  assert.equal(processAlive(zombie), false);

  writeFileSync(path, JSON.stringify({ pid: zombie, host: hostname() }) + '\n');
  const lock = acquireLock(path);
  assert.equal(readLockOwner(path)?.pid, process.pid);
  lock.release();
});

test('a live owner keeps its lock: another process, this process (unless told to take over), another host', (t) => {
  const dir = tempFolder(t);
  const path = join(dir, 'lock');
  const sleeper = spawn('sleep', ['600']);
  t.after(() => sleeper.kill('SIGKILL'));
  writeFileSync(path, JSON.stringify({ pid: sleeper.pid, host: hostname() }) + '\n');
  assert.throws(() => acquireLock(path), (e: unknown) => e instanceof LockError && e.reason === 'held' && e.owner?.pid === sleeper.pid);
  assert.equal(readLockOwner(path)?.pid, sleeper.pid, 'the refused attempt left the lock alone');

  // Another host: its pid means nothing here, so even a dead-looking one is respected.
  writeFileSync(path, JSON.stringify({ pid: deadPid(), host: `not-${hostname()}` }) + '\n');
  assert.throws(() => acquireLock(path), (e: unknown) => e instanceof LockError && e.reason === 'held' && e.owner?.host === `not-${hostname()}`);

  rmSync(path);
  const first = acquireLock(path);
  assert.throws(() => acquireLock(path), (e: unknown) => e instanceof LockError && e.owner?.pid === process.pid);
  const second = acquireLock(path, { ownPid: 'take-over' });
  assert.equal(readLockOwner(path)?.pid, process.pid);
  second.release();
  first.release();
  assert.ok(!existsSync(path));
});
