/**
 * The end-to-end run, every part real: `ltobms build` → `ltobms sim` (scenario at max speed)
 * → `ltobms fuses`, `ltobms eeprom --sn 7 --write` and `ltobms flash` over the UPDI pseudo-terminal
 * → the firmware starts → `ltobms log <uart pty>` into a real InfluxDB 1.x on loopback → the points
 * are there with id 0007 and the states the scenario's rules lead to.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PACKAGE_ROOT } from '../../../src/firmware/avr.js';
import { runCli } from '../../helpers/cli.js';
import { influxdAvailable, startInfluxd, type InfluxdServer } from '../../helpers/influxdb.js';
import { socatAvailable } from '../../../src/serial/pty.js';
import { cleanEnv, LoggerProcess, waitUntil } from '../../logging/fixtures.js';
import { startSim, type SimProcess } from '../../helpers/sim.js';

const skip = !influxdAvailable() || !socatAvailable() ? 'needs influxd and socat' : false;
const dir = mkdtempSync(join(tmpdir(), 'ltobms-pipeline-'));
let db: InfluxdServer | undefined;

before(async () => {
  if (!skip) db = await startInfluxd({ database: 'bms' });
});
after(async () => {
  await db?.cleanup();
});

async function ok(args: string[], what: string) {
  const r = await runCli(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `${what}: ltobms ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r;
}

test('build → sim → fuses, eeprom --sn 7, flash over UPDI → log from the UART pty into InfluxDB 1.x', { skip, timeout: 120_000 }, async () => {
  const build = await ok(['build', '--chemistry', 'LTO', '--out', join(dir, 'build'), '--fw-version', 'e2e', '--json'], 'build');
  const hex = join(dir, 'build', 'main-LTO-e2e.hex');
  assert.match(build.stdout, /main-LTO-e2e\.hex/);

  const scenarioFile = join(PACKAGE_ROOT, 'examples', 'scenarios', 'discharge-uvlo.yaml');
  const sim: SimProcess = await startSim(['--chemistry', 'LTO', '--scenario', scenarioFile, '--speed', 'max', '--baud', '0', '--latency-ms', '0', '--trace']);
  let logger: LoggerProcess | undefined;
  try {
    logger = new LoggerProcess([sim.uart, '--quiet'], { cwd: dir, env: cleanEnv({ INFLUXDB_URL: db!.url, INFLUXDB_DB: 'bms' }) });
    await logger.waitForStderr(/reading /);

    // The EEPROM goes in before the flash: the scenario's clock starts when firmware first runs, and at
    // max speed a 40-minute scenario is over long before a later programming session would begin.
    await ok(['fuses', '--port', sim.updi], 'fuses');
    await ok(['eeprom', '--sn', '7', '--write', '--port', sim.updi], 'eeprom');
    await ok(['flash', hex, '--port', sim.updi], 'flash');

    // Leaving programming mode after the flash started the firmware; the 40-minute scenario runs at max speed and ends the sim.
    let timer: NodeJS.Timeout | undefined;
    const { code } = await Promise.race([
      sim.exited,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`sim did not end; stderr: ${sim.stderr()}`)), 60_000))),
    ]).finally(() => clearTimeout(timer));
    assert.equal(code, 0, sim.stderr());
    assert.match(sim.stderr(), /scenario ended after 00:40:00\.000 simulated in state CHARGING/);
    // 40 simulated minutes: frames at uptime 0, 60, …, 2340.
    await waitUntil('40 points in InfluxDB', async () => (await db!.count('lto-bms')) >= 40, 20_000, logger.describe);
    const rows = await db!.query('SELECT * FROM "lto-bms" ORDER BY time');
    assert.equal(rows.length, 40);
    assert.ok(rows.every((r) => r.id === '0007'), 'every point carries the serial number written over UPDI');
    assert.deepEqual(rows.map((r) => r.uptime), Array.from({ length: 40 }, (_, k) => k * 60));
    const states: string[] = [];
    for (const r of rows) if (states.at(-1) !== r.state) states.push(String(r.state));
    // A 300 mA load on a 5 % cell hits the UVLO cut-off; the charger at 20 minutes brings it back.
    assert.deepEqual(states.filter((s) => s !== 'BMS_STATE_IDLE'), ['BMS_STATE_DISCHARGING', 'BMS_STATE_UVLO', 'BMS_STATE_CHARGING']);
    assert.ok(rows.filter((r) => r.state === 'BMS_STATE_UVLO').every((r) => Number(r.v_batt) < 1800), 'UVLO points below the release voltage');
  } finally {
    await sim.stop();
    await logger?.interrupt();
  }
});
