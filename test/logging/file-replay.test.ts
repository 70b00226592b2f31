/**
 * The embedded default (no database configured → daily line-protocol files), loading those files
 * into a real InfluxDB 1.x with `--replay`, and a port that disappears and comes back.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { influxdAvailable, startInfluxd } from '../helpers/influxdb.js';
import { SocatPty, socatAvailable } from '../../src/serial/pty.js';
import { cleanEnv, LoggerProcess, spoolLines, tempDir, testFrame, waitUntil, wireLine } from './fixtures.js';

const skip = socatAvailable() ? false : 'needs socat';

describe('ltobms log with no configuration', { skip }, () => {
  test('writes daily .lp files under ./ltobms-data/log that --replay loads with the original timestamps', { skip: influxdAvailable() ? false : 'needs influxd' }, async (t) => {
    const dir = tempDir('ltobms-file-');
    const pty = await SocatPty.open();
    const server = await startInfluxd({ database: 'replayed' });
    t.after(async () => {
      await pty.close();
      await server.cleanup();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.portPath], { cwd: dir.path, env: cleanEnv() });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/writing to line-protocol files in .*ltobms-data\/log/);
    await logger.waitForStderr(/reading /);
    const frames = Array.from({ length: 6 }, (_, i) => testFrame(i + 10, '0C0D'));
    for (const f of frames) await pty.send(wireLine(f) + '\r\n');
    await waitUntil('6 console lines', () => logger.stdout.split('\n').filter((l) => / 0C0D /.test(l)).length === 6, 30_000, logger.describe);
    assert.equal((await logger.interrupt()).code, 0, logger.describe());
    assert.match(logger.stderr, /summary: 6 frames, 6 points written to line-protocol files/);

    // One file per UTC day, named by the date.
    const logDir = join(dir.path, 'ltobms-data', 'log');
    const files = readdirSync(logDir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^\d{4}-\d{2}-\d{2}\.lp$/);
    const lines = readFileSync(join(logDir, files[0]!), 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 6);
    const stamps = lines.map((l, i) => {
      const m = /^(.*) (\d+)$/.exec(l)!;
      assert.equal(m[1], wireLine(frames[i]!));
      return m[2]!;
    });
    assert.equal(files[0], `${new Date(Number(BigInt(stamps[0]!) / 1_000_000n)).toISOString().slice(0, 10)}.lp`);

    // A dead-letter style comment and one broken line in the file are skipped/counted, not loaded.
    const file = join(logDir, files[0]!);
    writeFileSync(file, `# a comment line\n${readFileSync(file, 'utf8')}lto-bms,id=0C0D uptime=1i 123\n`);
    const replay = await runCli(['log', '--replay', file, '--json'], {
      cwd: dir.path,
      env: cleanEnv({ INFLUXDB_URL: server.url, INFLUXDB_DB: 'replayed' }),
    });
    assert.equal(replay.code, 0, replay.stderr);
    const summary = JSON.parse(replay.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(summary.frames, 6);
    assert.equal(summary.written, 6);
    assert.equal(summary.garbage, 1);
    const stored = await server.query('SELECT * FROM "lto-bms"');
    assert.deepEqual(stored.map((r) => r.time), stamps);
    assert.deepEqual(stored.map((r) => r.uptime), frames.map((f) => f.uptime));

    // Replaying the same file again stores nothing new: same series + timestamps.
    const again = await runCli(['log', '--replay', file, '--quiet'], {
      cwd: dir.path,
      env: cleanEnv({ INFLUXDB_URL: server.url, INFLUXDB_DB: 'replayed' }),
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await server.count('lto-bms'), 6);
  });

  test('--replay into a server that is down: Ctrl-C keeps the points in the spool, the next run sends them', { skip: influxdAvailable() ? false : 'needs influxd' }, async (t) => {
    const dir = tempDir('ltobms-replay-down-');
    const server = await startInfluxd({ database: 'late' });
    await server.stop();
    t.after(async () => {
      await server.cleanup();
      dir.cleanup();
    });
    const frames = Array.from({ length: 25 }, (_, i) => testFrame(i, '0E0E'));
    const file = join(dir.path, 'day.lp');
    writeFileSync(file, frames.map((f, i) => `${wireLine(f)} ${1_750_000_000_000_000_000n + BigInt(i) * 60_000_000_000n}\n`).join(''));
    const env = cleanEnv({ INFLUXDB_URL: server.url, INFLUXDB_DB: 'late' });
    const first = new LoggerProcess(['--replay', file, '--json', '--drain-timeout', '1'], { cwd: dir.path, env });
    t.after(() => first.kill9());
    await first.waitForStderr(/warning: write failed: cannot reach the server/);
    const exit = await first.interrupt();
    assert.equal(exit.code, 130, first.describe());
    const summary = first.jsonLines().find((l) => l.type === 'summary')!;
    assert.equal(summary.frames, 25);
    assert.equal(summary.written, 0);
    assert.equal(summary.leftInSpool, 25);
    assert.equal(spoolLinesOf(dir.path).length, 25);

    await server.start();
    const second = await runCli(['log', '--replay', file, '--json'], { cwd: dir.path, env });
    assert.equal(second.code, 0, second.stderr);
    const s2 = JSON.parse(second.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(s2.resumed, 25);
    assert.equal(s2.written, 50); // 25 from the spool + the file's 25 again: the same points, stored once
    assert.equal(await server.count('lto-bms'), 25);
    assert.deepEqual((await server.query('SELECT * FROM "lto-bms"')).map((r) => r.uptime), frames.map((f) => f.uptime));
    assert.deepEqual(spoolLinesOf(dir.path), []);
  });

  test('several ports in one process: each frame is shown with its port and stored', async (t) => {
    const dir = tempDir('ltobms-two-');
    const a = await SocatPty.open();
    const b = await SocatPty.open();
    t.after(async () => {
      await a.close();
      await b.close();
      dir.cleanup();
    });
    const logger = new LoggerProcess([a.portPath, b.portPath], { cwd: dir.path, env: cleanEnv() });
    t.after(() => logger.kill9());
    await waitUntil('both ports open', () => (logger.stderr.match(/reading /g) ?? []).length === 2, 30_000, logger.describe);
    for (let i = 0; i < 3; i++) {
      await a.send(wireLine(testFrame(i, '000A')) + '\r\n');
      await b.send(wireLine(testFrame(i, '000B')) + '\n');
    }
    await waitUntil('6 frames stored', () => filesLines(dir.path).length === 6, 30_000, logger.describe);
    assert.equal((await logger.interrupt()).code, 0);
    const shown = logger.stdout.split('\n').filter(Boolean);
    assert.equal(shown.filter((l) => l.includes(a.portPath) && l.includes(' 000A ')).length, 3);
    assert.equal(shown.filter((l) => l.includes(b.portPath) && l.includes(' 000B ')).length, 3);
    const stored = filesLines(dir.path);
    for (const id of ['000A', '000B']) {
      assert.deepEqual(stored.filter((l) => l.includes(`id=${id} `)).map((l) => l.replace(/ \d+$/, '')), [0, 1, 2].map((i) => wireLine(testFrame(i, id))));
    }
  });

  test('a port that is missing at start and later unplugged is waited for and reopened (--reconnect)', async (t) => {
    const dir = tempDir('ltobms-reopen-');
    const ptyDir = tempDir('ltobms-pty-same-');
    t.after(() => {
      dir.cleanup();
      ptyDir.cleanup();
    });
    const device = join(ptyDir.path, 'device');
    const logger = new LoggerProcess([device, '--quiet', '--reconnect'], { cwd: dir.path, env: cleanEnv() });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/waiting for .*device \(No such file or directory\)/);

    let pty = await SocatPty.open({ link: join(ptyDir.path, 'device') });
    await logger.waitForStderr(/reading .*device/);
    await pty.send(wireLine(testFrame(1)) + '\n');
    await waitUntil('first frame stored', () => filesLines(dir.path).length === 1, 30_000, logger.describe);
    await pty.close(); // the adapter is unplugged
    await logger.waitForStderr(/went away/);
    pty = await SocatPty.open({ link: join(ptyDir.path, 'device') }); // and plugged in again
    t.after(() => pty.close());
    await logger.waitForStderr(/is back: reading again/);
    await pty.send(wireLine(testFrame(2)) + '\n');
    await waitUntil('second frame stored', () => filesLines(dir.path).length === 2, 30_000, logger.describe);
    assert.equal((await logger.interrupt()).code, 0);
    assert.match(logger.stderr, /2 frames, 2 points written/);
    assert.match(logger.stderr, /1 reconnect\b/);
  });
});

const spoolLinesOf = (cwd: string) => spoolLines(join(cwd, 'ltobms-data'));

function filesLines(cwd: string): string[] {
  const logDir = join(cwd, 'ltobms-data', 'log');
  try {
    return readdirSync(logDir).flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean));
  } catch {
    return [];
  }
}
