// RTC PIT, ADC0, USART0 and PORT, driven through their registers (the CPU spins), with literal datasheet
// addresses and values (ATTINY824_FACTS.md §2) and expectations worked out by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attiny824 } from '../../../src/sim/chip.js';
import { FixedAnalog, RampAnalog, SPIN, chipWith } from './chip-harness.js';

const RTC_CLKSEL = 0x0147;
const RTC_PITCTRLA = 0x0150;
const RTC_PITINTFLAGS = 0x0153;

test('PIT with INT1K and CYC1024 (PITCTRLA = 0x49) flags PI every 1.000 s, aligned to the prescaler', async () => {
  const t = await chipWith(SPIN);
  const { chip } = t;
  chip.cpu.write(RTC_CLKSEL, 0x01);
  chip.cpu.write(RTC_PITCTRLA, 0x49);
  const seen: number[] = [];
  for (let k = 0; k < 3; k++) {
    // Find the flag edge to 1 ms, then clear it.
    let when = chip.time;
    while (!(chip.cpu.read(RTC_PITINTFLAGS) & 1)) {
      when = chip.time;
      chip.runUntil(when + 0.001);
    }
    seen.push(when);
    chip.cpu.write(RTC_PITINTFLAGS, 1);
  }
  // The RTC prescaler runs from reset (t = 0), so the flags come at 1, 2, 3 s.
  seen.forEach((s, k) => assert.ok(Math.abs(s - (k + 1)) <= 0.001, `tick ${k} at ${s}`));
  assert.equal(chip.rtc.pitPeriodSeconds, 1);
  // CYC32 = 0x21: 32 / 1024 s.
  chip.cpu.write(RTC_PITCTRLA, 0x21);
  chip.runUntil(chip.time + 0.01);
  assert.equal(chip.rtc.pitPeriodSeconds, 0.03125);
});

// ADC0 register addresses (base 0x0600).
const ADC = {
  CTRLA: 0x600, CTRLB: 0x601, CTRLC: 0x602, INTFLAGS: 0x605, STATUS: 0x606, CTRLE: 0x608, CTRLF: 0x609,
  COMMAND: 0x60a, PGACTRL: 0x60b, MUXPOS: 0x60c, MUXNEG: 0x60d, RESULT: 0x610,
};

interface Conversion {
  ctrlc: number;
  ctrle?: number;
  ctrlf?: number;
  pgactrl?: number;
  muxpos: number;
  muxneg?: number;
  command: number;
}

/** Starts one conversion, runs to RESRDY, returns the 32-bit RESULT and how long it took. */
async function convert(analog: FixedAnalog, c: Conversion): Promise<{ result: number; seconds: number }> {
  const { chip } = await chipWith(SPIN, { analog });
  chip.runUntil(0.1); // past the start-up time
  chip.cpu.write(ADC.CTRLA, 0x01); // ENABLE
  chip.cpu.write(ADC.CTRLB, 0x01); // PRESC DIV4
  chip.cpu.write(ADC.CTRLC, c.ctrlc);
  chip.cpu.write(ADC.CTRLE, c.ctrle ?? 2);
  chip.cpu.write(ADC.CTRLF, c.ctrlf ?? 0);
  chip.cpu.write(ADC.PGACTRL, c.pgactrl ?? 0);
  chip.cpu.write(ADC.MUXPOS, c.muxpos);
  chip.cpu.write(ADC.MUXNEG, c.muxneg ?? 0x30);
  const start = chip.time;
  chip.cpu.write(ADC.COMMAND, c.command);
  assert.equal(chip.cpu.read(ADC.STATUS) & 1, 1, 'ADCBUSY after START');
  let end = start;
  while (!(chip.cpu.read(ADC.INTFLAGS) & 1)) {
    end = chip.time;
    chip.runUntil(end + 1e-6);
    assert.ok(chip.time - start < 0.01, 'conversion never finished');
  }
  let result = 0;
  for (let i = 3; i >= 0; i--) result = result * 256 + chip.cpu.read(ADC.RESULT + i);
  assert.equal(chip.cpu.read(ADC.INTFLAGS) & 1, 0, 'reading RESULT clears RESRDY');
  return { result, seconds: end - start };
}

test('ADC single-ended 12-bit: 0.5 V on AIN2 with the 1.024 V reference reads 2000, in 60 µs + 17 CLK_ADC', async () => {
  const analog = new FixedAnalog();
  analog.volts.PA2 = 0.5;
  // CTRLC = REFSEL 1024MV (4); MUXPOS = AIN2; COMMAND = SINGLE_12BIT (0x10) | IMMEDIATE (1).
  const r = await convert(analog, { ctrlc: 0x04, muxpos: 0x02, command: 0x11 });
  assert.equal(r.result, 2000); // 0.5 / 1.024 · 4096 = 2000
  // f_CLK_ADC = 3.333 MHz / 4 = 833.3 kHz; t = 60 µs + (SAMPDUR 2 + 15) / 833.3 kHz = 80.4 µs
  assert.ok(Math.abs(r.seconds - 80.4e-6) < 1.5e-6, `${r.seconds}`);
});

test('ADC references, channels, 8-bit mode and saturation', async () => {
  const analog = new FixedAnalog();
  analog.vddVolts = 3.0;
  analog.volts = { PA3: 1.234, PA2: 1.5 };
  // VDD reference: floor(1.234 / 3.0 · 4096) = floor(1684.9) = 1684
  assert.equal((await convert(analog, { ctrlc: 0x00, muxpos: 0x03, command: 0x11 })).result, 1684);
  // 1.5 V against 1.024 V saturates at 4095
  assert.equal((await convert(analog, { ctrlc: 0x04, muxpos: 0x02, command: 0x11 })).result, 4095);
  // VDDDIV10 (0x31): 0.3 V / 2.048 V · 4096 = 600
  assert.equal((await convert(analog, { ctrlc: 0x05, muxpos: 0x31, command: 0x11 })).result, 600);
  // SINGLE_8BIT: 1.234 / 2.048 · 256 = floor(154.25) = 154
  assert.equal((await convert(analog, { ctrlc: 0x05, muxpos: 0x03, command: 0x01 })).result, 154);
});

test('ADC differential via the PGA, 16x gain, burst of 16: signed sums, sign-extended to 32 bits', async () => {
  const analog = new FixedAnalog();
  // +12.3 mV between AIN7 (positive) and AIN6: one sample = floor(0.0123 · 16 · 2048 / 1.024) = floor(393.6) = 393
  analog.volts = { PA7: 1.0123, PA6: 1.0 };
  const burst = {
    ctrlc: 0x04,
    ctrle: 11, // burst with the PGA needs SAMPDUR >= 11
    ctrlf: 0x04, // SAMPNUM ACC16
    pgactrl: 0x80 | 0x02 | 0x01, // GAIN 16X, ADCPGASAMPDUR 15CLK, PGAEN
    muxpos: 0x40 | 0x07, // AIN7 via PGA
    muxneg: 0x40 | 0x06, // AIN6 via PGA
    command: 0x80 | 0x40 | 0x01, // DIFF, BURST, IMMEDIATE
  };
  const pos = await convert(analog, burst);
  assert.equal(pos.result, 393 * 16);
  // t = 60 µs + ((SAMPDUR + 2) · 16 + 14 + 15 · 16) / 833.3 kHz = 60 µs + 462 / 833.3 kHz = 614.4 µs
  assert.ok(Math.abs(pos.seconds - 614.4e-6) < 2e-6, `${pos.seconds}`);
  // −12.3 mV: floor(−393.6) = −394 per sample, −6304 in all = 0xFFFFE760
  analog.volts = { PA7: 1.0, PA6: 1.0123 };
  const neg = await convert(analog, burst);
  assert.equal(neg.result, 0xffffe760);
});

test('ADC TEMPSENSE: the datasheet correction with the SIGROW calibration gives back the die temperature', async () => {
  const analog = new FixedAnalog();
  for (const kelvin of [250, 300, 358]) {
    analog.kelvin = kelvin;
    const { result } = await convert(analog, { ctrlc: 0x04, ctrle: 100, muxpos: 0x32, command: 0x11 });
    // Factory calibration in the model's default signature row: TEMPSENSE0 = 0x89 (gain), TEMPSENSE1 = 0xFC (−4).
    const gain = 0x89;
    const offset = -4;
    const t = (((result >> 2) - offset) * gain + 0x80) >> 8;
    assert.ok(Math.abs(t - kelvin) <= 1, `${kelvin} K read back as ${t} K`);
  }
});

const USART = { STATUS: 0x804, CTRLB: 0x806, CTRLC: 0x807, BAUDL: 0x808, BAUDH: 0x809, TXDATAL: 0x802 };

test('USART0 frame time: 8N1 at BAUD = 1389 and 3.333 MHz is 9599.8 baud, 10 bits per byte', async () => {
  const t = await chipWith(SPIN);
  const { chip } = t;
  chip.runUntil(0.1);
  chip.cpu.write(0x0421, 0x04); // PORTB.DIRSET PB2
  chip.cpu.write(USART.BAUDL, 1389 & 0xff);
  chip.cpu.write(USART.BAUDH, 1389 >> 8);
  chip.cpu.write(USART.CTRLC, 0x03);
  chip.cpu.write(USART.CTRLB, 0x40); // TXEN
  assert.deepEqual(t.pins.at(-1), { pin: 'PB2', state: 'high', t: chip.time }, 'TxD idles high');
  const t0 = chip.time;
  chip.cpu.write(USART.TXDATAL, 0x55);
  chip.cpu.write(USART.TXDATAL, 0xaa); // goes to the buffer: DREIF clears
  assert.equal(chip.cpu.read(USART.STATUS) & 0x20, 0);
  chip.runUntil(t0 + 0.01);
  const bit = (16 * 1389) / (64 * (20e6 / 6)); // 1 / baud
  assert.deepEqual(t.uart.map((u) => u.byte), [0x55, 0xaa]);
  assert.ok(Math.abs(t.uart[0]!.t - t0 - 10 * bit) < 1e-6);
  assert.ok(Math.abs(t.uart[1]!.t - t.uart[0]!.t - 10 * bit) < 1e-6);
  assert.equal(chip.cpu.read(USART.STATUS) & 0x60, 0x60, 'DREIF and TXCIF once both frames are out');
  // 8E2 (CTRLC = 0x2B): 1 + 8 + 1 + 2 = 12 bits.
  chip.cpu.write(USART.STATUS, 0x40);
  chip.cpu.write(USART.CTRLC, 0x2b);
  const t1 = chip.time;
  chip.cpu.write(USART.TXDATAL, 0x01);
  chip.runUntil(t1 + 0.01);
  assert.ok(Math.abs(t.uart[2]!.t - t1 - 12 * bit) < 1e-6);
});

test('PORT pin states reach the board: output high/low, released input; INPUT_DISABLE reads 0', async () => {
  const analog = new FixedAnalog();
  analog.volts.PA3 = 2.9; // above VDD/2
  const t = await chipWith(SPIN, { analog });
  const { chip } = t;
  chip.runUntil(0.1);
  chip.cpu.write(0x0405, 0x10); // OUTSET PA4
  chip.cpu.write(0x0401, 0x10); // DIRSET PA4 → driven high
  chip.cpu.write(0x0406, 0x10); // OUTCLR → low
  chip.cpu.write(0x0402, 0x10); // DIRCLR → released
  assert.deepEqual(
    t.pins.filter((p) => p.pin === 'PA4').map((p) => p.state),
    ['high', 'low', 'input'],
  );
  assert.equal(chip.cpu.read(0x0408) & 0x08, 0x08, 'PA3 reads high from its 2.9 V');
  chip.cpu.write(0x0413, 0x04); // PIN3CTRL = INPUT_DISABLE
  assert.equal(chip.cpu.read(0x0408) & 0x08, 0, 'input buffer off');
  // VPORTA.OUT (0x01) is the same register as PORTA.OUT.
  chip.cpu.write(0x0001, 0x20);
  assert.equal(chip.cpu.read(0x0404), 0x20);
});

test('standby stops CLK_PER: a USART frame in flight finishes only after the PIT wakes the core', async () => {
  // USART0 at BAUD 64 (f/16 baud: one 10-bit frame = 160 CPU cycles), then straight into standby; the PIT
  // (INT1K, CYC32 = 31.25 ms) wakes the core.
  const t = await chipWith(`
        rjmp main
        .skip 6
        rjmp pit             ; vector 4
main:   ldi r16, 0x04
        sts 0x0421, r16      ; PORTB.DIRSET PB2
        ldi r16, 64
        sts 0x0808, r16      ; BAUDL
        ldi r16, 0x03
        sts 0x0807, r16      ; CTRLC 8N1
        ldi r16, 0x40
        sts 0x0806, r16      ; CTRLB TXEN
        ldi r16, 0x01
        sts 0x0147, r16      ; RTC.CLKSEL INT1K
        sts 0x0152, r16      ; PITINTCTRL PI
        ldi r16, 0x21
        sts 0x0150, r16      ; PITCTRLA CYC32 | PITEN
        ldi r16, 0x03
        sts 0x0050, r16      ; SLPCTRL STANDBY | SEN
        sei
        ldi r16, 0x41
        sts 0x0802, r16      ; TXDATAL 'A'
        sleep
        break
pit:    ldi r17, 0x01
        sts 0x0153, r17      ; clear PI
        reti
`);
  const { chip } = t;
  assert.equal(chip.runUntil(0.2), 'break');
  const wake = t.trace.find((e) => e.type === 'wake');
  assert.ok(wake, 'the PIT woke the core');
  assert.equal(t.uart.length, 1);
  // Started right before SLEEP, 160 cycles long: without the pause it would end ~50 µs after the start;
  // with CLK_PER stopped it ends after the wake-up (the PIT boundary at 31.25 ms after reset or later).
  assert.ok(t.uart[0]!.t > wake.t, `byte at ${t.uart[0]!.t}, wake at ${wake.t}`);
  assert.ok(wake.t >= 0.03125);
});

// CLK_ADC = 3.333 MHz / 4 (CTRLB DIV4); SAMPDUR 2: sample k ends its sampling phase at
// 60 µs + (2 + 0.5 + 16·k) / f after the start, the burst's result at 60 µs + (16·16 + 1.5) / f.
const F_ADC = 20e6 / 6 / 4;
const sampleAt = (start: number, k: number) => start + 60e-6 + (2.5 + 16 * k) / F_ADC;
const rampCode = (v0: number, slope: number, dt: number) => Math.floor(((v0 + slope * dt) / 1.024) * 4096);

/** Past start-up, ADC0 on, DIV4, 1.024 V, SAMPDUR 2, ACC16, AIN2: ready for a BURST command. */
function setUpBurstOnAin2(chip: Attiny824): void {
  chip.runUntil(0.1);
  chip.cpu.write(ADC.CTRLA, 0x01);
  chip.cpu.write(ADC.CTRLB, 0x01);
  chip.cpu.write(ADC.CTRLC, 0x04);
  chip.cpu.write(ADC.CTRLE, 2);
  chip.cpu.write(ADC.CTRLF, 0x04);
  chip.cpu.write(ADC.MUXPOS, 0x02);
}

test('ADC burst: every sample of a moving input is taken at its own instant', async () => {
  const analog = new RampAnalog(0.2, 50); // 50 V/s: about 3.8 codes between samples
  const { chip } = await chipWith(SPIN, { analog });
  setUpBurstOnAin2(chip);
  const start = chip.time;
  analog.origin = start;
  chip.cpu.write(ADC.COMMAND, 0x40 | 0x01); // BURST, IMMEDIATE
  // Half-way through, SAMPLE holds the last sample taken so far (sample 7 ends at 60 µs + 114.5 / f).
  chip.runUntil(sampleAt(start, 7) + 1e-6);
  const mid = chip.cpu.read(0x614) | (chip.cpu.read(0x615) << 8);
  assert.equal(mid, rampCode(0.2, 50, sampleAt(start, 7) - start));
  chip.runUntil(start + 60e-6 + 257.5 / F_ADC + 1e-6);
  assert.equal(chip.cpu.read(ADC.INTFLAGS) & 1, 1, 'RESRDY at the end of the burst');
  let expected = 0;
  for (let k = 0; k < 16; k++) expected += rampCode(0.2, 50, sampleAt(start, k) - start);
  const result = chip.cpu.read(ADC.RESULT) | (chip.cpu.read(ADC.RESULT + 1) << 8);
  // Float rounding may move a sample across a code boundary, never by more.
  assert.ok(Math.abs(result - expected) <= 2, `sum ${result}, expected ${expected}`);
});

test('ADC with SAMPRDY enabled requests the interrupt at each sample; SAMPOVR when SAMPLE is not read', async () => {
  const analog = new FixedAnalog();
  analog.volts.PA2 = 0.5;
  const { chip } = await chipWith(SPIN, { analog });
  setUpBurstOnAin2(chip);
  chip.cpu.write(0x604, 0x02); // INTCTRL = SAMPRDY
  const start = chip.time;
  chip.cpu.write(ADC.COMMAND, 0x40 | 0x01);
  chip.runUntil(sampleAt(start, 0) - 1e-6);
  assert.equal(chip.interrupts.isRequesting(23), false, 'no SAMPRDY before the first sample');
  chip.runUntil(sampleAt(start, 0) + 1e-6);
  assert.equal(chip.interrupts.isRequesting(23), true, 'SAMPRDY (vector 23) at the first sample');
  assert.equal(chip.cpu.read(ADC.INTFLAGS) & 0x12, 0x02, 'SAMPRDY, no SAMPOVR yet');
  chip.runUntil(sampleAt(start, 1) + 1e-6);
  assert.equal(chip.cpu.read(ADC.INTFLAGS) & 0x12, 0x12, 'second sample with SAMPLE unread: SAMPOVR');
});

test('ADC in STANDBY without RUNSTDBY: the burst stops while the core sleeps and finishes after the wake-up', async () => {
  const analog = new FixedAnalog();
  analog.volts.PA2 = 0.5;
  // ADC burst started, then STANDBY until the PIT (CYC32 = 31.25 ms from INT1K) wakes the core.
  const { chip, trace } = await chipWith(`
        rjmp main
        .org 0x08
        rjmp pit             ; RTC_PIT, vector 4
main:   ldi r16, 0x01
        sts 0x0600, r16      ; ADC0.CTRLA = ENABLE (no RUNSTDBY)
        sts 0x0601, r16      ; CTRLB = DIV4
        ldi r16, 0x04
        sts 0x0602, r16      ; CTRLC = 1.024 V
        sts 0x0609, r16      ; CTRLF = ACC16
        ldi r16, 0x02
        sts 0x0608, r16      ; CTRLE = SAMPDUR 2
        sts 0x060c, r16      ; MUXPOS = AIN2
        ldi r16, 0x01
        sts 0x0147, r16      ; RTC.CLKSEL = INT1K
        sts 0x0152, r16      ; PITINTCTRL = PI
        ldi r16, 0x21
        sts 0x0150, r16      ; PITCTRLA = CYC32 | PITEN
        ldi r16, 0x03
        sts 0x0050, r16      ; SLPCTRL = STANDBY | SEN
        ldi r16, 0x41
        sts 0x060a, r16      ; COMMAND = BURST | IMMEDIATE
        sei
        sleep
spin:   rjmp spin
pit:    ldi r16, 0x01        ; clear PI
        sts 0x0153, r16
        reti
`, { analog });
  chip.runUntil(0.2);
  const sleptAt = trace.find((e) => e.type === 'sleep')!.t;
  const wokeAt = trace.find((e) => e.type === 'wake')!.t;
  assert.ok(wokeAt - sleptAt > 0.005, 'slept for milliseconds');
  assert.equal(chip.adc.conversions, 1);
  const result = chip.cpu.read(ADC.RESULT) | (chip.cpu.read(ADC.RESULT + 1) << 8);
  assert.equal(result, 2000 * 16);
});
