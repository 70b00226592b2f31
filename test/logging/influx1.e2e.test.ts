/**
 * End to end against a real InfluxDB 1.x (Debian's influxd on a loopback port) with frames fed
 * through a socat pseudo-terminal into the real `ltobms log`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { influxdAvailable, startInfluxd, type InfluxdServer } from '../helpers/influxdb.js';
import { join } from 'node:path';
import { SocatPty, socatAvailable } from '../../src/serial/pty.js';
import {
  cleanEnv,
  INTEGER_FIELD_NAMES,
  LoggerProcess,
  spoolLines,
  tempDir,
  testFrame,
  waitUntil,
  wireLine,
  type TestFrame,
} from './fixtures.js';

const skip = !influxdAvailable() || !socatAvailable() ? 'needs influxd and socat (Debian packages influxdb, socat)' : false;

describe('ltobms log → InfluxDB 1.x', { skip, concurrency: false }, () => {
  let db: InfluxdServer;
  let database = 0;
  before(async () => {
    db = await startInfluxd({ database: 'unused' });
  });
  after(async () => {
    await db?.cleanup();
  });

  /** A fresh database per test on the shared server. */
  async function newDatabase(): Promise<string> {
    const name = `bms${++database}`;
    const r = await fetch(`${db.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${name}"` }) });
    assert.equal(r.status, 200);
    return name;
  }

  async function rows(name: string, measurement: string): Promise<Record<string, unknown>[]> {
    const params = new URLSearchParams({ db: name, q: `SELECT * FROM "${measurement}"`, epoch: 'ns' });
    const r = await fetch(`${db.url}/query?${params}`);
    const text = (await r.text()).replace(/\[(\d{16,})(?=[,\]])/g, '["$1"');
    const body = JSON.parse(text) as { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };
    const out: Record<string, unknown>[] = [];
    for (const s of body.results[0]?.series ?? []) for (const v of s.values) out.push(Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
    return out;
  }

  function env(name: string): NodeJS.ProcessEnv {
    return cleanEnv({ INFLUXDB_URL: db.url, INFLUXDB_DB: name });
  }

  function assertRowMatches(row: Record<string, unknown>, f: TestFrame): void {
    assert.equal(row.id, f.id);
    for (const k of INTEGER_FIELD_NAMES) assert.equal(row[k], f[k], `${k} of uptime ${f.uptime}`);
    assert.equal(row.state, f.state);
  }

  test('frames from a pty land with their values and types; debug text does not', async (t) => {
    const dir = tempDir('ltobms-e2e-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      dir.cleanup();
    });
    const name = await newDatabase();
    const logger = new LoggerProcess([pty.portPath, '--quiet'], { cwd: dir.path, env: env(name) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);

    const lto = Array.from({ length: 12 }, (_, i) => testFrame(i, '0007'));
    const nai = Array.from({ length: 4 }, (_, i) => testFrame(i + 100, '0A1B', 'nai-bms'));
    const before = BigInt(Date.now()) * 1_000_000n;
    // Debug builds print free text between frames; the firmware ends lines with \r\n or \n.
    await pty.send('LTO-BMS fw dev starting\r\nEEPROM: 37 73 07 00\r\n');
    for (const [i, f] of [...lto, ...nai].entries()) await pty.send(wireLine(f) + (i % 2 ? '\n' : '\r\n'));
    await waitUntil('16 points', async () => (await rows(name, 'lto-bms')).length === 12 && (await rows(name, 'nai-bms')).length === 4, 30_000, logger.describe);
    const afterNs = BigInt(Date.now() + 1) * 1_000_000n;

    const ltoRows = await rows(name, 'lto-bms');
    const naiRows = await rows(name, 'nai-bms');
    ltoRows.forEach((row, i) => assertRowMatches(row, lto[i]!));
    naiRows.forEach((row, i) => assertRowMatches(row, nai[i]!));
    // Host timestamps: taken while we fed, strictly increasing in feed order.
    const times = ltoRows.map((r) => BigInt(r.time as string));
    for (let i = 0; i < times.length; i++) {
      assert.ok(times[i]! >= before && times[i]! <= afterNs, `time ${times[i]} outside the feed window`);
      if (i) assert.ok(times[i]! > times[i - 1]!);
    }
    // Types as stored by the server: integers stay integers, state is a string, id is a tag.
    const fieldTypes = Object.fromEntries(
      (await fieldKeys(name, 'lto-bms')).map((r) => [r.fieldKey, r.fieldType]),
    );
    assert.deepEqual(fieldTypes, {
      E_chg: 'integer', E_dis: 'integer', charge: 'integer', current: 'integer', gain: 'integer',
      state: 'string', temp: 'integer', uptime: 'integer', v_batt: 'integer', v_load: 'integer',
    });
    const measurements = (await showMeasurements(name)).sort();
    assert.deepEqual(measurements, ['lto-bms', 'nai-bms']);

    const exit = await logger.interrupt();
    assert.equal(exit.code, 0, logger.describe());
    assert.match(logger.stderr, /summary: 16 frames, 16 points written to InfluxDB 1\.x/);
    assert.match(logger.stderr, /0 garbage lines, 2 debug lines, 0 reconnects/);
  });

  async function fieldKeys(name: string, measurement: string): Promise<{ fieldKey: string; fieldType: string }[]> {
    const params = new URLSearchParams({ db: name, q: `SHOW FIELD KEYS FROM "${measurement}"` });
    const body = (await (await fetch(`${db.url}/query?${params}`)).json()) as { results: { series?: { values: [string, string][] }[] }[] };
    return (body.results[0]?.series?.[0]?.values ?? []).map(([fieldKey, fieldType]) => ({ fieldKey, fieldType }));
  }

  async function showMeasurements(name: string): Promise<string[]> {
    const params = new URLSearchParams({ db: name, q: 'SHOW MEASUREMENTS' });
    const body = (await (await fetch(`${db.url}/query?${params}`)).json()) as { results: { series?: { values: [string][] }[] }[] };
    return (body.results[0]?.series?.[0]?.values ?? []).map((v) => v[0]);
  }

  test('outage: stop the server mid-stream, keep feeding, restart it — every point once, in order', async (t) => {
    const dir = tempDir('ltobms-outage-');
    const pty = await SocatPty.open();
    const server = await startInfluxd({ database: 'bms' });
    t.after(async () => {
      await pty.close();
      await server.cleanup();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.portPath, '--json'], {
      cwd: dir.path,
      env: cleanEnv({ INFLUXDB_URL: server.url, INFLUXDB_DB: 'bms' }),
    });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    const frames = Array.from({ length: 30 }, (_, i) => testFrame(i));
    const feed = async (from: number, to: number) => {
      for (let i = from; i < to; i++) await pty.send(wireLine(frames[i]!) + '\r\n');
    };

    await feed(0, 10);
    await waitUntil('10 points before the outage', async () => (await server.count('lto-bms')) === 10, 30_000, logger.describe);
    await server.stop();
    await feed(10, 20);
    await logger.waitForStderr(/warning: write failed: cannot reach the server/);
    // The frames are safe on disk while the server is down.
    await waitUntil('10 points in the spool', () => spoolLines(`${dir.path}/ltobms-data`).length === 10, 30_000, logger.describe);
    await server.start();
    await feed(20, 30);
    await waitUntil('30 points after the outage', async () => (await server.count('lto-bms')) === 30, 30_000, logger.describe);

    const stored = await server.query('SELECT * FROM "lto-bms"');
    assert.equal(stored.length, 30);
    // In time order the uptimes come back exactly in feed order: nothing lost, nothing doubled.
    assert.deepEqual(stored.map((r) => r.uptime), frames.map((f) => f.uptime));
    stored.forEach((row, i) => assertRowMatches(row, frames[i]!));

    const exit = await logger.interrupt();
    assert.equal(exit.code, 0, logger.describe());
    const summary = logger.jsonLines().find((l) => l.type === 'summary')!;
    assert.equal(summary.frames, 30);
    // Each point was acknowledged exactly once (a resend would count twice).
    assert.equal(summary.written, 30);
    assert.ok((summary.spooled as number) >= 10, `spooled ${summary.spooled}`);
    assert.equal(summary.leftInSpool, 0);
    assert.equal(logger.jsonLines().filter((l) => l.type === 'frame').length, 30);
    assert.match(logger.stderr, /the target is back after/);
  });

  test('restart: kill -9 the logger with points in the spool, start it again — nothing lost', async (t) => {
    const dir = tempDir('ltobms-restart-');
    const server = await startInfluxd({ database: 'bms' });
    await server.stop(); // down from the start: every frame stays in the spool
    const pty1 = await SocatPty.open();
    t.after(async () => {
      await pty1.close();
      await server.cleanup();
      dir.cleanup();
    });
    const env2 = cleanEnv({ INFLUXDB_URL: server.url, INFLUXDB_DB: 'bms' });
    const first = new LoggerProcess([pty1.portPath, '--quiet'], { cwd: dir.path, env: env2 });
    t.after(() => first.kill9());
    await first.waitForStderr(/reading /);
    const frames = Array.from({ length: 12 }, (_, i) => testFrame(i, '00FF'));
    for (const f of frames.slice(0, 8)) await pty1.send(wireLine(f) + '\n');
    await first.waitForStderr(/warning: write failed: cannot reach the server/);
    await waitUntil('8 points in the spool', () => spoolLines(`${dir.path}/ltobms-data`).length === 8, 30_000, first.describe);
    await first.kill9();
    assert.equal(spoolLines(`${dir.path}/ltobms-data`).length, 8);

    await server.start();
    const pty2 = await SocatPty.open();
    t.after(() => pty2.close());
    const second = new LoggerProcess([pty2.portPath, '--quiet'], { cwd: dir.path, env: env2 });
    t.after(() => second.kill9());
    await second.waitForStderr(/resuming 8 point\(s\) left in the spool/);
    await waitUntil('the 8 spooled points', async () => (await server.count('lto-bms')) === 8, 30_000, second.describe);
    await second.waitForStderr(/reading /);
    for (const f of frames.slice(8)) await pty2.send(wireLine(f) + '\n');
    await waitUntil('all 12 points', async () => (await server.count('lto-bms')) === 12, 30_000, second.describe);
    const stored = await server.query('SELECT * FROM "lto-bms"');
    stored.forEach((row, i) => assertRowMatches(row, frames[i]!));

    const exit = await second.interrupt();
    assert.equal(exit.code, 0, second.describe());
    assert.match(second.stderr, /summary: 4 frames, 12 points written/);
    assert.match(second.stderr, /8 resumed from an earlier run/);
    assert.deepEqual(spoolLines(`${dir.path}/ltobms-data`), []);
  });

  test('garbage corpus: zero points, and every line counted as what it is; the unplug after it ends the log with one error', async (t) => {
    const dir = tempDir('ltobms-garbage-');
    const ptyDir = tempDir('ltobms-pty-fixed-');
    const pty = await SocatPty.open({ link: join(ptyDir.path, 'device') });
    t.after(async () => {
      await pty.close();
      dir.cleanup();
      ptyDir.cleanup();
    });
    const name = await newDatabase();
    const logger = new LoggerProcess([pty.portPath, '--json'], { cwd: dir.path, env: env(name) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    const good = wireLine(testFrame(1));
    // Each entry: what the line is, by the contract (HARDWARE.md: exactly these fields, ints with i,
    // 4 upper-case hex digits, the 8 state names, no timestamp from the board).
    const garbage: [string, string | Buffer][] = [
      ['bad-frame', good.replace('id=0007', 'id=7')],
      ['bad-frame', good.replace('id=0007', 'id=00ab')],
      ['bad-frame', good.replace('id=0007', 'id=0007,room=x')],
      ['bad-frame', good.replace(',gain=2i', '')],
      ['bad-frame', good + ',gain=2i'],
      ['bad-frame', good.replace('v_batt=2001i', 'v_batt=2001')],
      ['bad-frame', good.replace('v_batt=2001i', 'v_batt=2.001')],
      ['bad-frame', good.replace('v_batt=2001i', 'v_batt=99999i')],
      ['bad-frame', good.replace('BMS_STATE_CHARGING', 'BMS_STATE_PANIC')],
      ['bad-frame', good + ' 1700000000000000000'],
      ['bad-frame', good + ',x=1i'],
      ['bad-frame', 'lto-bms,id=0007 uptime=60i,v_batt=25'],
      ['bad-frame', 'evil-bms,id=0007 uptime=1i,v_batt=1i,v_load=1i,current=1i,E_dis=1i,E_chg=1i,charge=1i,temp=1i,gain=1i,state="BMS_STATE_IDLE"'],
      ['invalid-utf8', Buffer.concat([Buffer.from(good.slice(0, 40)), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from(good.slice(43))])],
      ['non-ascii', Buffer.from('température 25 °C', 'utf8')],
      // Control bytes inside a frame (before one, they are a reset's glitch: see chunks.test.ts).
      ['control-bytes', Buffer.from(good.slice(0, 40) + '\x00\x00\x1b[2J' + good.slice(40), 'latin1')],
      ['oversized', 'x'.repeat(600)],
      ['oversized', 'lto-bms,' + 'y'.repeat(5000)],
    ];
    const debugText = ['LTO-BMS debug build dev', 'EEPROM load: crc mismatch, using defaults', 'config: sn=7 ovlo=2800'];
    let wire = Buffer.alloc(0);
    for (const [, line] of garbage) wire = Buffer.concat([wire, Buffer.from(line as string, typeof line === 'string' ? 'latin1' : undefined), Buffer.from('\r\n')]);
    for (const text of debugText) wire = Buffer.concat([wire, Buffer.from(text + '\n')]);
    // A frame cut off by the adapter being unplugged: a partial line.
    wire = Buffer.concat([wire, Buffer.from(good.slice(0, 70))]);
    await pty.send(wire);
    await waitUntil('every line classified', () => logger.jsonLines().length >= garbage.length + debugText.length, 30_000, logger.describe);
    await pty.close(); // the adapter is unplugged: the log ends by itself (no --reconnect)
    const exit = await logger.exited;
    assert.equal(exit.code, 1, logger.describe());
    const stderrLines = logger.stderr.trim().split('\n');
    assert.equal(stderrLines.filter((l) => l.startsWith('error:')).length, 1, logger.describe());
    assert.match(stderrLines.at(-2)!, /^error: \S*device went away \(.+\) while tailing frames; the 0 frame\(s\) read are stored$/, logger.describe());
    assert.match(stderrLines.at(-1)!, /^hint: .*--reconnect/, logger.describe());

    const lines = logger.jsonLines();
    const summary = lines.find((l) => l.type === 'summary')!;
    const expectedReasons: Record<string, number> = { partial: 1 };
    for (const [reason] of garbage) expectedReasons[reason] = (expectedReasons[reason] ?? 0) + 1;
    assert.equal(summary.frames, 0);
    assert.equal(summary.written, 0);
    assert.equal(summary.debug, debugText.length);
    assert.equal(summary.garbage, garbage.length + 1);
    assert.deepEqual(summary.garbageByReason, expectedReasons);
    assert.equal(summary.reconnects, 0);
    assert.equal((summary.lost as { port: string }).port, pty.portPath);
    assert.deepEqual(lines.filter((l) => l.type === 'debug').map((l) => l.text), debugText);
    assert.deepEqual(await showMeasurements(name), []);
  });
});
