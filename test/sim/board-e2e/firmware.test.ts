/**
 * The real firmware on the virtual board: log frames once a minute that the log parser accepts and
 * that agree with the board model, a corrupt EEPROM replaced by the defaults, the hanging test build
 * reset by the watchdog, and the INA260 registers as a host driver reads them at start-up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHEMISTRY } from '../../../src/part/chemistry.js';
import { CONFIG_SIZE, encodeConfig } from '../../../src/eeprom/image.js';
import { classifyLine } from '../../../src/logging/frame.js';
import type { Chemistry } from '../../../src/sim/board/types.js';
import { runBoard, scenarioFor } from './harness.js';

const CHEMS: Chemistry[] = ['LTO', 'NAION'];
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const INA260 = 0x41;
const u16 = (d: number[]) => (d[0]! << 8) | d[1]!;
const s16 = (d: number[]) => (u16(d) << 16) >> 16;

for (const chem of CHEMS) {
  const defaults = CHEMISTRY[chem].defaults;

  test(`${chem}: a log frame every 60 simulated seconds, accepted by the log parser and true to the board`, async () => {
    const scenario = scenarioFor(chem, { cell: { soc_pct: 60 }, load: { type: 'current', current_ma: 150 }, eeprom: { serial_number: 0x2a } });
    const run = await runBoard(scenario, { seconds: 5 * 60 + 30 });
    assert.equal(run.lines.length, 6, run.lines.map((l) => l.text).join('\n'));
    run.lines.forEach((line, k) => {
      const c = classifyLine(ascii(line.text), 0, line.text.length, { timestamp: 'forbidden' });
      assert.equal(c.kind, 'frame', line.text);
      if (c.kind !== 'frame') return;
      const f = c.frame;
      assert.equal(f.measurement, CHEMISTRY[chem].measurement);
      assert.equal(f.id, '002A');
      assert.equal(f.uptime, 60 * k);
      // The first frame comes right after start-up; then one per minute of simulated time.
      assert.ok(line.t >= 60 * k && line.t < 60 * k + 1, `frame ${k} at ${line.t} s`);
      if (k === 0) return;
      const truth = run.timeline[Math.floor(line.t) - 1]!;
      assert.ok(Math.abs(f.v_batt - truth.batteryVolts * 1000) <= 6, `v_batt ${f.v_batt} vs model ${truth.batteryVolts}`);
      assert.ok(Math.abs(f.current - truth.currentAmps * 1000) <= 3, `current ${f.current} vs model ${truth.currentAmps}`);
      assert.equal(f.state, 'BMS_STATE_DISCHARGING');
      // The charge counter: 150 mA for uptime seconds, in mAh (the frame truncates or rounds).
      assert.ok(Math.abs(f.charge - (150 * f.uptime) / 3600) <= 1, `charge ${f.charge} mAh after ${f.uptime} s`);
      assert.ok(Math.abs(f.temp - truth.temperatureK) <= 3, `temp ${f.temp} K vs ${truth.temperatureK}`);
    });
  });

  test(`${chem}: a corrupt EEPROM is replaced by the chemistry's defaults, serial 0`, async () => {
    const good = encodeConfig({ ...defaults, serialNumber: 7, tempOffset: 0 });
    const corrupt = good.slice();
    corrupt[6] ^= 0x01; // ovlo_cutoff off by one: the CRC no longer matches
    const run = await runBoard(scenarioFor(chem, { load: { type: 'current', current_ma: 20 } }), { eeprom: corrupt, seconds: 3 });
    const expected = encodeConfig({ ...defaults, serialNumber: 0, tempOffset: 0 });
    assert.deepEqual([...run.runtime.memories.eeprom.subarray(0, CONFIG_SIZE)], [...expected]);
    assert.equal(run.runtime.frames[0]?.id, '0000');
    assert.ok(run.timeline.at(-1)!.mainOn, 'runs on the defaults');
  });

  test(`${chem}: the hanging test build is reset by the watchdog and starts again`, async () => {
    const hangAfter = 5;
    const run = await runBoard(scenarioFor(chem, { load: { type: 'current', current_ma: 20 } }), { hangAfter, seconds: 70 });
    const wdt = run.resets.filter((r) => r.cause === 'watchdog');
    assert.ok(wdt.length >= 1, `resets: ${JSON.stringify(run.resets)}`);
    // Last clear about hangAfter + 1 s after start-up; the fuse's period is 4096 cycles of the 1.024 kHz oscillator = 4 s.
    const first = wdt[0]!.t;
    assert.ok(first > hangAfter + 4 - 0.5 && first < hangAfter + 1 + 4 + 0.5, `watchdog reset at ${first} s`);
    // After the reset the firmware starts from scratch: a frame with uptime 0 follows it.
    assert.ok(run.lines.some((l) => l.t > first && l.frame?.uptime === 0), 'a fresh start-up frame after the reset');
    assert.ok(wdt.length >= 2 && wdt[1]!.t - first > hangAfter, 'and it hangs (and is reset) again');
  });

  test(`${chem}: INA260 registers as a host driver reads them: IDs, configuration reset, current/voltage/power`, async () => {
    const run = await runBoard(scenarioFor(chem, { cell: { soc_pct: 50 }, load: { type: 'current', current_ma: 400 } }), { seconds: 5 });
    const i2c = run.runtime.chip.i2c;
    const reg = (r: number) => {
      const res = i2c.writeRead(INA260, [r], 2);
      assert.ok(res.addressAck, `address 0x41 acknowledged (register 0x${r.toString(16)})`);
      return res.data;
    };
    assert.equal(u16(reg(0xfe)), 0x5449, 'manufacturer ID "TI"');
    assert.equal(u16(reg(0xff)), 0x2270, 'die ID');
    const w = i2c.write(INA260, [0x00, 0x80, 0x00]);
    assert.equal(w.written, 3, 'configuration reset acknowledged');
    assert.equal(u16(reg(0x00)), 0x6127, 'configuration back at its reset value');
    const truth = run.runtime.snapshot();
    const current = s16(reg(0x01));
    const voltage = u16(reg(0x02));
    const power = u16(reg(0x03));
    // INA260 scales: 1.25 mA, 1.25 mV and 10 mW per count.
    const want = { current: (truth.currentAmps * 1000) / 1.25, voltage: (truth.batteryVolts * 1000) / 1.25, power: (truth.currentAmps * truth.batteryVolts * 1000) / 10 };
    assert.ok(Math.abs(current - want.current) <= 2, `current ${current} counts, model ${want.current.toFixed(1)}`);
    assert.ok(Math.abs(voltage - want.voltage) <= 2, `bus voltage ${voltage} counts, model ${want.voltage.toFixed(1)}`);
    assert.ok(Math.abs(power - want.power) <= 2, `power ${power} counts, model ${want.power.toFixed(1)}`);
  });
}
