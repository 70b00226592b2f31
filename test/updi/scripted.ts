/**
 * A scripted UPDI target for transcript tests: a list of steps "expect these bytes from the host →
 * answer these bytes". Bytes are matched as they arrive (in any fragmentation); the first byte that
 * differs from the script is recorded and nothing is answered from then on, so the code under test
 * times out and the test reports the mismatch.
 *
 * Time is the target's `clock`, a manual clock that the code under test must be given too: it moves
 * by a step's `takesMs` when the target answers that step (a controller that stays busy for 30 ms
 * takes a few scripted polls, not as many as the machine can make in 30 ms), and jumps to the next
 * wake-up whenever host and target both wait (so a read that gets no answer times out at once, at
 * its exact time).
 */
import { createPipePair, type PipeDeviceEnd, type PipeHostEnd } from '../../src/serial/pipe.js';
import { ManualClock } from '../../src/util/clock.js';
import { hexBytes } from '../../src/util/hex.js';

export interface Step {
  expect: readonly number[];
  reply?: readonly number[];
  /** How long the target takes over this step: the clock moves on by this much before the reply. */
  takesMs?: number;
}

export class ScriptedTarget {
  /** The programmer's end. */
  readonly pipe: PipeHostEnd;
  readonly clock: ManualClock;
  private readonly device: PipeDeviceEnd;
  private step = 0;
  private matched = 0;
  mismatch: string | undefined;
  breaks = 0;

  constructor(
    private readonly steps: Step[],
    options: { echo?: boolean; clock?: ManualClock } = {},
  ) {
    this.clock = options.clock ?? new ManualClock({ autoAdvance: true });
    const { host, device } = createPipePair({ echo: options.echo ?? true, name: 'script', clock: this.clock });
    this.pipe = host;
    this.device = device;
    device.onData((bytes) => this.receive(bytes));
    device.onBreak(() => this.lineBreak());
  }

  receive(bytes: Uint8Array): void {
    for (const b of bytes) {
      if (this.mismatch) return;
      const s = this.steps[this.step];
      if (!s) {
        this.mismatch = `unexpected byte 0x${b.toString(16)} after the end of the script`;
        return;
      }
      const want = s.expect[this.matched];
      if (b !== want) {
        this.mismatch = `step ${this.step}: byte ${this.matched} is 0x${b.toString(16)}, expected 0x${want?.toString(16)} (step bytes ${hexBytes(s.expect)})`;
        return;
      }
      this.matched++;
      if (this.matched === s.expect.length) {
        this.step++;
        this.matched = 0;
        if (s.takesMs) this.clock.advance(s.takesMs);
        if (s.reply?.length) this.device.write(Uint8Array.from(s.reply));
      }
    }
  }

  lineBreak(): void {
    this.breaks++;
  }

  /** Waits until the pipe has delivered everything written so far. */
  async idle(): Promise<void> {
    await new Promise((r) => setImmediate(r));
  }

  /** Steps consumed so far. */
  get consumed(): number {
    return this.step;
  }

  /** True when every step has been consumed. */
  get done(): boolean {
    return this.step === this.steps.length && !this.mismatch;
  }

  /** Text for assertion messages. */
  get state(): string {
    return this.mismatch ?? `at step ${this.step}/${this.steps.length}, byte ${this.matched}`;
  }
}

/** Low and high byte of a 16-bit address. */
export function le16(a: number): [number, number] {
  return [a & 0xff, a >> 8];
}
