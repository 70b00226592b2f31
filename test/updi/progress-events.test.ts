/**
 * The progress reporter every memory operation goes through: started → progress → finished or
 * failed, with times from the injected clock; and the programmer's operations, end to end against
 * the virtual ATtiny824.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressReporter, type ProgressEvent } from '../../src/updi/progress.js';
import { ManualClock } from '../../src/util/clock.js';
import { withProgrammer } from '../../src/updi/connect.js';
import { planProgram } from '../../src/updi/plan.js';
import { UpdiError } from '../../src/updi/errors.js';
import { simPipe } from './sim-pipe.js';

test('an operation is started, reports progress, and finishes with bytes and ms from the clock', async () => {
  const clock = new ManualClock({ start: 1000 });
  const events: ProgressEvent[] = [];
  const reporter = new ProgressReporter(clock, (e) => events.push(e));
  const { value, result } = await reporter.run('program', 'flash', 128, async (op) => {
    clock.advance(20);
    op.progress(64);
    clock.advance(30);
    op.progress(128);
    return 'done';
  });
  assert.equal(value, 'done');
  assert.deepEqual(result, { phase: 'program', memory: 'flash', bytes: 128, ms: 50 });
  assert.deepEqual(events, [
    { type: 'started', phase: 'program', memory: 'flash', totalBytes: 128 },
    { type: 'progress', phase: 'program', memory: 'flash', bytes: 64, totalBytes: 128, elapsedMs: 20 },
    { type: 'progress', phase: 'program', memory: 'flash', bytes: 128, totalBytes: 128, elapsedMs: 50 },
    { type: 'finished', phase: 'program', memory: 'flash', bytes: 128, elapsedMs: 50 },
  ]);
});

test('an operation that throws is reported failed with its error, and the error goes on', async () => {
  const events: ProgressEvent[] = [];
  const reporter = new ProgressReporter(new ManualClock(), (e) => events.push(e));
  const boom = new Error('boom');
  await assert.rejects(
    reporter.run('read', 'eeprom', 10, async () => {
      throw boom;
    }),
    (e: unknown) => e === boom,
  );
  assert.deepEqual(events, [
    { type: 'started', phase: 'read', memory: 'eeprom', totalBytes: 10 },
    { type: 'failed', phase: 'read', memory: 'eeprom', error: boom },
  ]);
});

/** The events without the progress steps in between: what a reader of the log would list. */
function outline(events: ProgressEvent[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const line = `${e.type} ${e.phase} ${e.memory}${e.type === 'finished' && e.whileWriting ? ' (while writing)' : ''}`;
    if (out[out.length - 1] !== line) out.push(line);
  }
  return out;
}

test('every memory operation of a run goes through the one callback: erase, program, verify, read', async () => {
  const s = simPipe();
  const events: ProgressEvent[] = [];
  const image = Uint8Array.from({ length: 256 }, (_, i) => (i * 13 + 1) & 0xff);
  await withProgrammer({ port: 'sim', baud: 115200, transport: s.host, clock: s.clock, onProgress: (e) => events.push(e) }, async (p) => {
    await p.session.enterProgMode();
    const device = await p.identify();
    const plan = planProgram({ flash: [{ address: 0, data: image }], eeprom: [{ address: 0, data: Uint8Array.of(1, 2, 3) }], fuses: [{ address: 5, data: Uint8Array.of(0xf7) }] }, device, { chipErase: true });
    await p.program(plan);
    await p.readMemory(device, 'eeprom', 0, 16);
  });
  s.sim.close();
  assert.deepEqual(outline(events), [
    'started erase chip',
    'finished erase chip',
    'started program flash',
    'progress program flash',
    'finished program flash',
    'finished verify flash (while writing)',
    'started program eeprom',
    'progress program eeprom',
    'finished program eeprom',
    'finished verify eeprom (while writing)',
    'started program fuses',
    'progress program fuses',
    'finished program fuses',
    'started verify fuses',
    'progress verify fuses',
    'finished verify fuses',
    'started read eeprom',
    'progress read eeprom',
    'finished read eeprom',
  ]);
  const flash = events.filter((e) => e.phase === 'program' && e.memory === 'flash');
  const steps = flash.flatMap((e) => (e.type === 'progress' ? [e.bytes] : []));
  assert.deepEqual(steps, [64, 128, 192, 256], 'one progress event per 64-byte page');
  assert.ok(flash.every((e) => e.type !== 'progress' || e.totalBytes === 256));
});

test('an operation that fails ends with a failed event carrying the error', async () => {
  const s = simPipe({ onNvmChange: () => void (s.sim.memories.eeprom[2] = 0x00) });
  const events: ProgressEvent[] = [];
  await assert.rejects(
    withProgrammer({ port: 'sim', baud: 115200, transport: s.host, clock: s.clock, onProgress: (e) => events.push(e), maxRetries: 1 }, async (p) => {
      await p.session.enterProgMode();
      await p.program(planProgram({ eeprom: [{ address: 0, data: Uint8Array.of(1, 2, 3) }] }, await p.identify()));
    }),
    (e: unknown) => e instanceof UpdiError && e.updiCode === 'VERIFY',
  );
  s.sim.close();
  const last = events[events.length - 1];
  assert.equal(last?.type, 'failed');
  assert.ok(last.type === 'failed' && last.phase === 'program' && last.memory === 'eeprom' && last.error instanceof UpdiError && last.error.updiCode === 'VERIFY');
});
