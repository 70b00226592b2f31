/**
 * What the tail has reported is on disk: `kill -9` the moment a frame appears on stdout (console
 * or --json), and the daily file or the spool holds it. A restart right after takes over the dead
 * process's spool lock and resumes what it left.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/influxdb.js';
import { SocatPty, socatAvailable } from '../../src/serial/pty.js';
import { cleanEnv, LoggerProcess, spoolLines, tempDir, testFrame, wireLine } from './fixtures.js';

const skip = socatAvailable() ? false : 'needs socat';

/** Starts a logger that is killed -9 from inside the stdout handler that first sees `pattern`. */
function killedOnOutput(args: string[], cwd: string, env: NodeJS.ProcessEnv, pattern: RegExp): LoggerProcess {
  const logger = new LoggerProcess(args, { cwd, env });
  let seen = '';
  logger.child.stdout!.on('data', (d: Buffer) => {
    seen += d.toString();
    if (pattern.test(seen)) logger.child.kill('SIGKILL');
  });
  return logger;
}

describe('a reported frame is on disk', { skip }, () => {
  test('file target: kill -9 as the console line appears, the day file has the frame', async (t) => {
    const dir = tempDir('ltobms-durable-file-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      dir.cleanup();
    });
    const logger = killedOnOutput([pty.portPath], dir.path, cleanEnv(), / 0D0E /);
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.send(wireLine(testFrame(5, '0D0E')) + '\n');
    assert.equal((await logger.exited).signal, 'SIGKILL', logger.describe());
    const logDir = join(dir.path, 'ltobms-data', 'log');
    const lines = readdirSync(logDir).flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean));
    assert.deepEqual(lines.map((l) => l.replace(/ \d+$/, '')), [wireLine(testFrame(5, '0D0E'))]);
  });

  test('database down: kill -9 as the --json frame appears, the spool has it; a restart at once resumes it', async (t) => {
    const dir = tempDir('ltobms-durable-spool-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      dir.cleanup();
    });
    // Nothing listens on this port: the server is down.
    const env = cleanEnv({ INFLUXDB_URL: `http://127.0.0.1:${await freePort()}`, INFLUXDB_DB: 'bms' });
    const logger = killedOnOutput([pty.portPath, '--json'], dir.path, env, /"type":"frame"/);
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.send(wireLine(testFrame(7, '0E0F')) + '\n');
    assert.equal((await logger.exited).signal, 'SIGKILL', logger.describe());
    const dataDir = join(dir.path, 'ltobms-data');
    assert.deepEqual(spoolLines(dataDir).map((l) => l.replace(/ \d+$/, '')), [wireLine(testFrame(7, '0E0F'))]);

    // The dead logger's lock is still there; the next start takes it over.
    const again = new LoggerProcess([pty.portPath], { cwd: dir.path, env });
    t.after(() => again.kill9());
    await again.waitForStderr(/resuming 1 point\(s\) left in the spool/);
    await again.waitForStderr(/reading /);
    const stopped = await again.interrupt();
    assert.equal(stopped.code, 0, again.describe());
    assert.doesNotMatch(again.stderr, /in use|error:/);
    assert.match(again.stderr, /1 left in the spool/);
  });
});
