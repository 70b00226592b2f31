// Configuration change protection, the clock prescaler, resets and the watchdog, with literal datasheet values:
// CCP = 0x34, key IOREG 0xD8 valid for 4 instructions; CLKCTRL.MCLKCTRLB = 0x61, PDIV 16X|PEN = 0x07;
// 20 MHz / 6 after reset; WDT.CTRLA = 0x100 from FUSE.WDTCFG (0x1280), period code 0xA = 4K cycles of the
// 1.024 kHz clock = 4.0 s, window code 7 = 512 cycles = 0.5 s; RSTCTRL.RSTFR = 0x40 (WDRF 0x08, SWRF 0x10),
// SWRR = 0x41.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chipWith } from './chip-harness.js';

const ccpProgram = (nops: number) => `
        ldi r16, 0xd8
        ldi r17, 0x07
        out 0x34, r16
${'        nop\n'.repeat(nops)}        sts 0x0061, r17
        break
`;

test('a CCP-protected write lands when it is the 4th instruction after the key, not the 5th', async () => {
  const ok = await chipWith(ccpProgram(3));
  assert.equal(ok.chip.runUntil(0.2), 'break');
  assert.equal(ok.chip.clock.cpuHz, 20e6 / 16);
  assert.equal(ok.chip.ccpViolations.size, 0);
  assert.ok(ok.trace.some((e) => e.type === 'clock' && e.hz === 1.25e6));

  const late = await chipWith(ccpProgram(4));
  assert.equal(late.chip.runUntil(0.2), 'break');
  assert.equal(late.chip.clock.cpuHz, 20e6 / 6, 'reset clock: 20 MHz / 6');
  assert.equal(late.chip.ccpViolations.get('CLKCTRL+0x1'), 1);
});

test('FUSE.OSCCFG FREQSEL=1 runs the oscillator at 16 MHz', async () => {
  const t = await chipWith('spin: rjmp spin', { fuses: { 2: 0x7d } });
  assert.equal(t.chip.clock.cpuHz, 16e6 / 6);
});

test('watchdog from FUSE.WDTCFG: timeout after 4.0 s, locked against changes, WDRF set', async () => {
  // The program tries to switch the watchdog off (correct CCP sequence): LOCK from the fuse refuses it.
  const t = await chipWith(
    `
        ldi r16, 0xd8
        out 0x34, r16
        sts 0x0100, r1
spin:   rjmp spin
`,
    { fuses: { 0: 0x0a } },
  );
  t.chip.runUntil(3.99);
  assert.deepEqual(t.chip.resets.map((r) => r.cause), ['power-on']);
  t.chip.runUntil(4.01);
  assert.deepEqual(t.chip.resets.map((r) => r.cause), ['power-on', 'watchdog']);
  assert.ok(Math.abs(t.chip.resets[1]!.t - 4.0) < 1e-5, `reset at ${t.chip.resets[1]!.t}`);
  assert.equal(t.chip.cpu.read(0x40) & 0x08, 0x08, 'RSTFR.WDRF');
  assert.equal(t.chip.cpu.read(0x101) & 0x80, 0x80, 'WDT.STATUS.LOCK');
});

// Waits for the test to set GPIOR0 bit 0, then executes WDR and clears the bit.
const WDR_ON_REQUEST = `
loop:   sbis 0x1c, 0
        rjmp loop
        wdr
        cbi 0x1c, 0
        rjmp loop
`;

test('window mode (WDTCFG 0x7A): WDR inside the 0.5 s closed window resets, inside the open window it clears', async () => {
  const early = await chipWith(WDR_ON_REQUEST, { fuses: { 0: 0x7a } });
  early.chip.runUntil(0.3);
  early.chip.cpu.write(0x1c, 1);
  early.chip.runUntil(0.35);
  assert.deepEqual(early.chip.resets.map((r) => r.cause), ['power-on', 'watchdog']);

  const good = await chipWith(WDR_ON_REQUEST, { fuses: { 0: 0x7a } });
  good.chip.runUntil(0.6);
  good.chip.cpu.write(0x1c, 1);
  good.chip.runUntil(0.61);
  const cleared = good.chip.time;
  assert.deepEqual(good.chip.resets.map((r) => r.cause), ['power-on']);
  assert.equal(good.chip.wdt.wdrCount, 1);
  // Without further WDRs: closed 0.5 s + open 4.0 s after the (synchronised) clear.
  good.chip.runUntil(cleared + 4.4);
  assert.deepEqual(good.chip.resets.map((r) => r.cause), ['power-on']);
  good.chip.runUntil(cleared + 4.6);
  assert.deepEqual(good.chip.resets.map((r) => r.cause), ['power-on', 'watchdog']);
});

test('software reset through RSTCTRL.SWRR under CCP sets SWRF and restarts at address 0', async () => {
  // Counts boots in SRAM (which a reset does not clear); resets itself on the first boot.
  const t = await chipWith(`
        lds r21, 0x3c00
        inc r21
        sts 0x3c00, r21
        cpi r21, 2
        breq done
        ldi r16, 0xd8
        ldi r17, 0x01
        out 0x34, r16
        sts 0x0041, r17
spin:   rjmp spin
done:   break
`);
  assert.equal(t.chip.runUntil(1), 'break');
  assert.deepEqual(t.chip.resets.map((r) => r.cause), ['power-on', 'software']);
  assert.equal(t.chip.cpu.read(0x40), 0x01 | 0x10, 'PORF from power-on plus SWRF');
  assert.equal(t.chip.cpu.read(0x3c00), 2, 'SRAM survives a software reset');
});
