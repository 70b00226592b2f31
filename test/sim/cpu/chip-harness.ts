// A whole emulated ATtiny824 running an assembled snippet, with a fixed analog world, for peripheral tests.
import { Attiny824, type Attiny824Options } from '../../../src/sim/chip.js';
import type { AnalogFrontEnd, AnalogPin, ChipTraceEvent, PinName, PinState } from '../../../src/sim/chip-types.js';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { assemble } from './asm.js';

export interface TestChip {
  chip: Attiny824;
  memories: NvmMemories;
  pins: { pin: PinName; state: PinState; t: number }[];
  uart: { byte: number; t: number }[];
  trace: ChipTraceEvent[];
  labels: Map<string, number>;
}

/** Fixed voltages per pin, VDD and die temperature; change them between runs. */
export class FixedAnalog implements AnalogFrontEnd {
  volts: Partial<Record<AnalogPin, number>> = {};
  vddVolts = 3.0;
  kelvin = 298.15;
  pinVoltage(pin: AnalogPin): number {
    return this.volts[pin] ?? 0;
  }
  temperatureK(): number {
    return this.kelvin;
  }
  vdd(): number {
    return this.vddVolts;
  }
}

/**
 * PA2 ramps linearly from `volts` at `origin` (s) at `voltsPerSecond` (a time-dependent input, to see when each
 * sample is taken); everything else is 0 V. `steady`: what it promises through steadyBetween (default: nothing).
 */
export class RampAnalog implements AnalogFrontEnd {
  origin = 0;
  constructor(
    private readonly volts: number,
    private readonly voltsPerSecond: number,
    private readonly steady = false,
  ) {}
  pinVoltage(pin: AnalogPin, t: number): number {
    return pin === 'PA2' ? this.volts + this.voltsPerSecond * (t - this.origin) : 0;
  }
  temperatureK(): number {
    return 298.15;
  }
  vdd(): number {
    return 3;
  }
  steadyBetween(): boolean {
    return this.steady;
  }
}

/** Assembles `source` (placed at address 0), loads it into fresh memories and builds the chip. */
export async function chipWith(
  source: string,
  options: Partial<Attiny824Options> & { fuses?: Record<number, number> } = {},
): Promise<TestChip> {
  const { words, labels } = await assemble(source);
  const memories = options.memories ?? new NvmMemories();
  words.forEach((w, i) => {
    memories.flash[2 * i] = w & 0xff;
    memories.flash[2 * i + 1] = w >> 8;
  });
  for (const [i, v] of Object.entries(options.fuses ?? {})) memories.fuses[Number(i)] = v;
  const pins: TestChip['pins'] = [];
  const uart: TestChip['uart'] = [];
  const trace: ChipTraceEvent[] = [];
  const chip = new Attiny824({
    ...options,
    memories,
    onPinChange: (pin, state, t) => pins.push({ pin, state, t }),
    onUartByte: (byte, t) => uart.push({ byte, t }),
    trace: (e) => trace.push(e),
  });
  return { chip, memories, pins, uart, trace, labels };
}

/** An idle main loop: the CPU spins in place (for tests that poke peripheral registers from outside). */
export const SPIN = 'spin: rjmp spin';
