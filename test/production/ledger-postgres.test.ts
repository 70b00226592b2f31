// The PostgreSQL ledger against a real server (Debian's, started in a temp folder on a loopback
// port): the schema on first use, numbers allocated under unique constraints by stations racing
// each other, reservations that outlive a crash, void numbers, and the same report as a file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PostgresLedger, readPostgresLedger } from '../../src/production/ledger-postgres.js';
import { openLedger } from '../../src/production/ledger-open.js';
import type { LedgerEntry } from '../../src/production/ledger.js';
import { ledgerReport } from '../../src/production/report.js';
import { LtobmsError, UsageError } from '../../src/errors.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../helpers/postgres.js';

const skip = !postgresAvailable() && 'PostgreSQL is not installed (apt-get install postgresql)';
const FW = { file: 'main.hex', sha256: 'ab'.repeat(32), version: 'v1' };
const uid = (n: number) => `3041374134320c3f${n.toString(16).padStart(4, '0')}`;
const ask = (n: number, renumber = false) => ({ uid: uid(n), renumber, port: `/dev/ttyUSB${n % 4}`, host: 'bench' });
function ok(sn: number, u: string): LedgerEntry {
  return { sn, uid: u, result: 'ok', time: new Date().toISOString(), firmware: FW, chemistry: 'LTO', fuses: '7a', ms: 1000, port: '/dev/ttyUSB0', host: 'bench' };
}

let pg: PostgresServer;
let n = 0;
/** A fresh database per test. */
async function database(): Promise<string> {
  const name = `ledger${++n}`;
  await pg.createDatabase(name);
  return pg.url(name);
}

before(async () => {
  if (!skip) pg = await startPostgres();
});
after(() => pg?.cleanup());

test('the schema is created on first use; stations racing for numbers get distinct, consecutive ones (unique constraint, retried)', { skip }, async () => {
  const url = await database();
  assert.deepEqual(await pg.query(url.split('/').pop()!, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'ltobms_%'"), [['0']]);
  // Four stations (four pools, as four processes would have) open at once: the schema is made once.
  const stations = await Promise.all([1, 2, 3, 4].map(() => PostgresLedger.open(url, 100)));
  const tables = await pg.query(url.split('/').pop()!, "SELECT tablename FROM pg_tables WHERE tablename LIKE 'ltobms_%' ORDER BY 1");
  assert.deepEqual(tables, [['ltobms_attempt'], ['ltobms_reservation']]);
  // 40 chips, 10 per station, all at once.
  const choices = await Promise.all(Array.from({ length: 40 }, (_, i) => stations[i % 4]!.reserve(ask(i))));
  const numbers = choices.map((c) => c.sn).sort((a, b) => a - b);
  assert.deepEqual(numbers, Array.from({ length: 40 }, (_, i) => 100 + i), 'distinct and consecutive from --start-sn');
  assert.ok(choices.every((c) => !c.reprogrammed && !c.resumed));
  for (const s of stations) await s.close();
});

test('the database refuses a number on two chips and an ok row without its reservation', { skip }, async () => {
  const url = await database();
  const db = url.split('/').pop()!;
  const ledger = await PostgresLedger.open(url, 1);
  await ledger.reserve(ask(1));
  await assert.rejects(pg.query(db, `INSERT INTO ltobms_reservation (sn, uid) VALUES (1, '${uid(2)}')`), /duplicate key value violates unique constraint/);
  await assert.rejects(ledger.append(ok(1, uid(2))), (e: unknown) => e instanceof LtobmsError && /violates foreign key constraint/.test(e.message));
  await ledger.close();
});

test('a reservation outlives the station: the chip gets its number again, another chip the next; passed chips keep theirs; the report matches the file ledger\'s', { skip }, async () => {
  const url = await database();
  const first = await PostgresLedger.open(url, 500);
  assert.deepEqual(await first.reserve(ask(1)), { sn: 500, reprogrammed: false });
  await first.close(); // as if killed: nothing else recorded

  const second = await openLedger(url, undefined);
  assert.equal(second.kind, 'postgres');
  assert.deepEqual(await second.reserve(ask(2)), { sn: 501, reprogrammed: false }, '500 belongs to chip 1');
  assert.deepEqual(await second.reserve(ask(1)), { sn: 500, reprogrammed: false, resumed: true });
  await second.append(ok(500, uid(1)));
  assert.deepEqual(await second.reserve(ask(1)), { sn: 500, reprogrammed: true });
  assert.deepEqual(await second.reserve(ask(1, true)), { sn: 502, reprogrammed: false, renumberedFrom: 500 });
  await second.append(ok(502, uid(1)));
  await second.append({ ...ok(501, uid(2)), result: 'failed', step: 'verify', error: 'final read-back: eeprom at offset 0x3 reads 0x00, expected 0x01' });
  assert.deepEqual(await second.status(), { entries: 3, next: 503, damaged: [] });
  await second.close();

  const r = ledgerReport(url, await readPostgresLedger(url));
  assert.deepEqual([r.boards, r.serials, r.void, r.duplicates, r.reserved], [1, [500, 502], [501], [], 3]);
  assert.deepEqual(r.renumbered, [{ uid: uid(1), serials: [500, 502] }]);
  assert.equal(r.failures_by_step.verify, 1);

  const cli = await runCli(['manufacture', '--report', url, '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  const json = JSON.parse(cli.stdout) as Record<string, unknown>;
  for (const key of ['boards', 'serials', 'duplicates', 'void', 'failures_by_step', 'boards_per_hour']) assert.ok(key in json, key);
  assert.deepEqual([json.boards, json.serials, json.void], [1, [500, 502], [501]]);
});

test('an empty database has no ledger; no start number on an empty ledger is a usage error; an unreachable server is one error line with a hint', { skip }, async () => {
  const url = await database();
  const empty = await runCli(['manufacture', '--report', url]);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /holds no ledger entries/);
  await assert.rejects(PostgresLedger.open(url, undefined), (e: unknown) => e instanceof UsageError && e.code === 'MANUFACTURE_NO_START');
  const closedPort = `postgres://ltobms:secret@127.0.0.1:${pg.port + 1}/x`;
  const down = await runCli(['manufacture', '--report', closedPort]);
  assert.equal(down.code, 1, down.stderr);
  assert.match(down.stderr, /^error: PostgreSQL ledger postgres:\/\/ltobms:\*\*\*@127\.0\.0\.1:\d+\/x: connect: connection refused\nhint: .+\n$/);
  assert.ok(!down.stderr.includes('secret'), 'the password is never printed');
});

test('start-up does not load pg: only a postgres:// ledger does', () => {
  const script = `
    import { createRequire } from 'node:module';
    await import('./dist/src/commands/manufacture.js');
    await import('./dist/src/production/ledger-open.js');
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/node_modules/pg/')).length;
    const before = loaded();
    await import('./dist/src/production/ledger-postgres.js').then(async (m) => { try { await m.readPostgresLedger('postgres://x@127.0.0.1:1/x'); } catch {} });
    console.log(JSON.stringify([before, loaded() > 0]));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [0, true]);
});
