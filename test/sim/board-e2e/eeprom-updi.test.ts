/**
 * Thresholds from an EEPROM image written over the UPDI pseudo-terminal by the real `ltobms` CLI:
 * the firmware, flashed the same way, must cut at the written UVLO cut-off, not at its default.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { PACKAGE_ROOT } from '../../../src/firmware/avr.js';
import { CHEMISTRY } from '../../../src/part/chemistry.js';
import { loadScenarioFile } from '../../../src/sim/scenario/index.js';
import { startBoardSim } from '../../../src/sim/runtime/serve.js';
import { runCli } from '../../helpers/cli.js';
import { socatAvailable } from '../../../src/serial/pty.js';
import { firmware } from './harness.js';

const skip = socatAvailable() ? false : 'needs socat';

async function ok(args: string[]) {
  const r = await runCli(args, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `ltobms ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
}

test('NAION: a UVLO cut-off written with ltobms eeprom over UPDI is the one the firmware enforces', { skip, timeout: 90_000 }, async () => {
  const defaults = CHEMISTRY.NAION.defaults;
  const cutoff = defaults.uvloCutoff + 150;
  const release = defaults.uvloRelease + 150;
  const build = await firmware('NAION');
  const scenario = await loadScenarioFile(join(PACKAGE_ROOT, 'examples', 'scenarios', 'discharge-uvlo.yaml'), { chemistry: 'NAION' });
  const cuts: { t: number; volts: number }[] = [];
  const sim = await startBoardSim({
    scenario: { ...scenario, durationSeconds: 900 },
    speed: 'max',
    baud: 0,
    latencyMs: 0,
    onRuntimeEvent: (e) => {
      if (e.type === 'switch' && e.pin === 'PA4' && e.state !== 'high') cuts.push({ t: e.t, volts: e.before.batteryVolts });
    },
  });
  const ac = new AbortController();
  const running = sim.run(ac.signal);
  try {
    const args = ['--chemistry', 'NAION', '--sn', '9', '--uvlo-cutoff', String(cutoff), '--uvlo-release', String(release)];
    await ok(['eeprom', ...args, '--write', '--port', sim.updi.name]);
    assert.equal(sim.runtime.time, 0, 'no firmware yet: simulated time stands still');
    await ok(['fuses', '--port', sim.updi.name]);
    await ok(['flash', build.artifacts.hex, '--port', sim.updi.name]);
    assert.equal(await running, 'ended');
  } finally {
    ac.abort();
    await sim.close();
  }
  assert.ok(cuts.length >= 1, 'the output was cut');
  const mv = cuts[0]!.volts * 1000;
  assert.ok(Math.abs(mv - cutoff) <= 6, `cut at ${mv.toFixed(1)} mV; written cut-off ${cutoff} mV (default ${defaults.uvloCutoff})`);
});
