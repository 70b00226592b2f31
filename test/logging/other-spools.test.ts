/**
 * Points spooled for another target (the URL was corrected: localhost → 127.0.0.1) are not
 * forgotten: the next start names their folder, their target and their count, and the command it
 * prints delivers them to the corrected target.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/influxdb.js';
import { runCli } from '../helpers/cli.js';
import { cleanEnv, fakeInflux, LoggerProcess, tempDir, testFrame, wireLine } from './fixtures.js';

test('a spool left by another target is named at start with its points and the command that delivers them', async (t) => {
  const dir = tempDir('ltobms-other-spool-');
  t.after(dir.cleanup);
  const file = join(dir.path, 'day.lp');
  writeFileSync(file, [0, 1, 2].map((i) => `${wireLine(testFrame(i, '0A0B'))} ${1_700_000_000_000_000_000 + i * 60e9}`).join('\n') + '\n');

  // First configuration: a server that is not there; the three points stay in its spool.
  const wrongUrl = `http://localhost:${await freePort()}`;
  const first = new LoggerProcess(['--replay', file, '--drain-timeout', '1'], { cwd: dir.path, env: cleanEnv({ INFLUXDB_URL: wrongUrl, INFLUXDB_DB: 'bms' }) });
  t.after(() => first.kill9());
  await first.waitForStderr(/warning: write failed/);
  await first.interrupt();
  assert.match(first.stderr, /3 left in the spool/, first.describe());

  // Corrected configuration: the logger names the old spool.
  const server = await fakeInflux(204);
  t.after(() => server.server.close());
  const env = cleanEnv({ INFLUXDB_URL: server.url, INFLUXDB_DB: 'bms' });
  const second = new LoggerProcess(['/dev/ttyUSB-none', '--json'], { cwd: dir.path, env });
  t.after(() => second.kill9());
  await second.waitForStderr(/waiting for/);
  await second.interrupt();
  const spoolRoot = join(dir.path, 'ltobms-data', 'spool');
  const note = new RegExp(`note: 3 point\\(s\\) wait in ${spoolRoot}/influx1-[0-9a-f]+, spooled for InfluxDB 1\\.x at ${wrongUrl.replace(/\./g, '\\.')}, database bms\\n  to send them to this target: ltobms log --replay \\S+/00000001\\.lp \\(with this run's settings\\), then delete `);
  assert.match(second.stderr, note, second.describe());
  const other = second.jsonLines().find((o) => o.type === 'other-spool') as { points: number; command: string } | undefined;
  assert.equal(other?.points, 3);

  // The printed command, run with the corrected settings, delivers the three points.
  const args = other!.command.split(' ').slice(1);
  const replay = await runCli(args, { cwd: dir.path, env });
  assert.equal(replay.code, 0, replay.stderr);
  assert.deepEqual(server.bodies.join('\n').split('\n').map((l) => l.replace(/ \d+$/, '')), [0, 1, 2].map((i) => wireLine(testFrame(i, '0A0B'))));
});
