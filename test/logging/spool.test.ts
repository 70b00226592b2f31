import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Spool } from '../../src/logging/spool.js';
import { tempDir } from './fixtures.js';

const line = (i: number) => `lto-bms,id=0001 uptime=${i}i,v_batt=2000i,v_load=2000i,current=0i,E_dis=0i,E_chg=0i,charge=0i,temp=290i,gain=1i,state="BMS_STATE_IDLE" ${1_700_000_000_000_000_000n + BigInt(i)}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k));

test('points come out in order, batch by batch, and a commit removes them', (t) => {
  const dir = tempDir('ltobms-spool-');
  t.after(dir.cleanup);
  const spool = Spool.open(dir.path);
  spool.append(range(0, 5));
  spool.append(range(5, 7));
  assert.equal(spool.pending, 7);
  const a = spool.peek(3)!;
  assert.deepEqual(a.lines, range(0, 3));
  // Peeking again without a commit gives the same batch (a failed write retries the same points).
  assert.deepEqual(spool.peek(3)!.lines, range(0, 3));
  spool.commit(a);
  assert.equal(spool.pending, 4);
  const b = spool.peek(100)!;
  assert.deepEqual(b.lines, range(3, 7));
  spool.commit(b);
  assert.equal(spool.pending, 0);
  assert.equal(spool.peek(10), undefined);
  spool.close();
});

test('a reopened spool resumes after the last commit (a restart, or kill -9)', (t) => {
  const dir = tempDir('ltobms-spool-');
  t.after(dir.cleanup);
  const first = Spool.open(dir.path);
  first.append(range(0, 10));
  first.commit(first.peek(4)!);
  // No close(): the process dies here. The lock names our own pid, which a new open accepts.
  const second = Spool.open(dir.path);
  assert.equal(second.pending, 6);
  assert.deepEqual(second.peek(100)!.lines, range(4, 10));
  second.close();
});

test('a torn last line (crash mid-append) is dropped, the complete ones kept', (t) => {
  const dir = tempDir('ltobms-spool-');
  t.after(dir.cleanup);
  const s = Spool.open(dir.path);
  s.append(range(0, 3));
  s.close();
  const [segment] = readdirSync(dir.path).filter((n) => n.endsWith('.lp'));
  appendFileSync(join(dir.path, segment!), line(3).slice(0, 50));
  const reopened = Spool.open(dir.path);
  assert.equal(reopened.pending, 3);
  reopened.append(range(4, 5));
  assert.deepEqual(reopened.peek(100)!.lines, [...range(0, 3), line(4)]);
  reopened.close();
});

test('segments roll at the size limit and delivered ones are deleted', (t) => {
  const dir = tempDir('ltobms-spool-');
  t.after(dir.cleanup);
  const s = Spool.open(dir.path, { segmentBytes: 1000 });
  for (let i = 0; i < 30; i += 3) s.append(range(i, i + 3));
  const segments = () => readdirSync(dir.path).filter((n) => n.endsWith('.lp')).sort();
  // A segment takes appends until it has reached 1000 bytes: with 3 lines of L+1 bytes per append,
  // that is ceil(1000 / (3(L+1))) appends per segment.
  const bytesPerAppend = range(0, 3).reduce((n, l) => n + l.length + 1, 0);
  assert.ok(bytesPerAppend > 334 && bytesPerAppend < 500);
  assert.equal(segments().length, Math.ceil(10 / Math.ceil(1000 / bytesPerAppend)));
  const out: string[] = [];
  for (let b = s.peek(4); b; b = s.peek(4)) {
    out.push(...b.lines);
    s.commit(b);
  }
  assert.deepEqual(out, range(0, 30));
  assert.ok(segments().length <= 1, `left: ${segments()}`);
  s.close();
  assert.deepEqual(JSON.parse(readFileSync(join(dir.path, 'cursor'), 'utf8')).offset, 0);
});

test('a spool locked by a live process is refused; a stale lock is taken over', (t) => {
  const dir = tempDir('ltobms-spool-');
  t.after(dir.cleanup);
  // pid 1 is always alive.
  writeFileSync(join(dir.path, 'lock'), '1\n');
  assert.throws(() => Spool.open(dir.path), (e: Error & { code?: string }) => e.code === 'SPOOL_LOCKED' && /in use by another ltobms log \(pid 1\)/.test(e.message));
  // A pid that has exited.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  writeFileSync(join(dir.path, 'lock'), `${dead}\n`);
  const s = Spool.open(dir.path);
  assert.equal(JSON.parse(readFileSync(join(dir.path, 'lock'), 'utf8')).pid, process.pid);
  s.close();
});
