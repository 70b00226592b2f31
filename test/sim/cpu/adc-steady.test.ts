// ADC0 taking a steady run of a burst's samples as one (peripherals/adc.ts, steadyCode): only when the front end
// promises steady inputs and both ends of the run sit well inside one code; the result is then the same as
// sampling one by one (steadyBursts off), and where it is not shown the samples are taken one by one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chipWith, RampAnalog, SPIN } from './chip-harness.js';

/** One burst of 16 on AIN2 against 1.024 V (1 code = 0.25 mV): the 32-bit sum and the runs taken as one. */
async function burst(analog: RampAnalog, steadyBursts: boolean): Promise<{ result: number; steadyRuns: number }> {
  const { chip } = await chipWith(SPIN, { analog });
  chip.adc.steadyBursts = steadyBursts;
  chip.runUntil(0.1); // past the start-up time
  const w = (addr: number, v: number) => chip.cpu.write(addr, v);
  w(0x600, 0x01); // CTRLA: ENABLE
  w(0x601, 0x01); // CTRLB: PRESC DIV4
  w(0x602, 0x04); // CTRLC: REFSEL 1.024 V
  w(0x608, 2); // CTRLE: SAMPDUR
  w(0x609, 0x04); // CTRLF: SAMPNUM ACC16
  w(0x60c, 0x02); // MUXPOS: AIN2
  analog.origin = chip.time;
  w(0x60a, 0x41); // COMMAND: BURST, IMMEDIATE
  chip.runUntil(chip.time + 0.002); // the burst takes ~0.37 ms; nothing reads a register before it ends
  assert.equal(chip.cpu.read(0x605) & 1, 1, 'RESRDY');
  let result = 0;
  for (let i = 3; i >= 0; i--) result = result * 256 + chip.cpu.read(0x610 + i);
  return { result, steadyRuns: chip.adc.steadyRuns };
}

async function both(volts: number, voltsPerSecond: number, steady = true) {
  const on = await burst(new RampAnalog(volts, voltsPerSecond, steady), true);
  const off = await burst(new RampAnalog(volts, voltsPerSecond, steady), false);
  assert.equal(on.result, off.result, `${volts} V + ${voltsPerSecond} V/s: the same sum with and without steady runs`);
  assert.equal(off.steadyRuns, 0);
  return on;
}

test('a burst that stays inside one code is taken as one run: 16 × the code', async () => {
  // 0.500125 V = 2000.5 codes, drifting 1 mV/s: 0.0015 codes over the burst.
  const r = await both(0.500125, 0.001);
  assert.equal(r.result, 16 * 2000);
  assert.equal(r.steadyRuns, 1);
});

test('a burst that crosses a code boundary is sampled one by one', async () => {
  // From 2000.5 codes rising 1 code per 0.3 ms: the later samples read 2001, the sum lies between.
  const r = await both(0.500125, 0.25e-3 / 0.3e-3);
  assert.ok(r.result > 16 * 2000 && r.result < 16 * 2001, `${r.result}`);
  assert.equal(r.steadyRuns, 0);
});

test('a level on a code boundary (exactly 2000 codes) is not taken as one run: rounding decides each sample', async () => {
  const r = await both(0.5, 0);
  assert.equal(r.result, 16 * 2000);
  assert.equal(r.steadyRuns, 0);
});

test('without the front end\'s promise nothing is taken as one run', async () => {
  const r = await both(0.500125, 0.001, false);
  assert.equal(r.result, 16 * 2000);
  assert.equal(r.steadyRuns, 0);
});
