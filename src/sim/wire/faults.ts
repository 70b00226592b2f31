/**
 * Fault injection for the wire model: each byte that crosses the wire may be dropped, corrupted
 * (one bit flipped) or delayed (the line stalls before it), with independent probabilities and a
 * seeded pseudo-random generator, so a run with the same seed and the same traffic injects the
 * same faults.
 *
 * Spec syntax (the `--faults` option): `drop=0.01,corrupt=0.01,delay=0.01[,delayms=20][,seed=N]`.
 */
import { randomInt } from 'node:crypto';
import { UsageError } from '../../errors.js';

export interface FaultConfig {
  /** Probability per byte that it is lost. */
  drop: number;
  /** Probability per byte that one bit is flipped. */
  corrupt: number;
  /** Probability per byte that the line stalls for `delaySeconds` before it. */
  delay: number;
  delaySeconds: number;
  seed: number;
}

export type FaultKind = 'drop' | 'corrupt' | 'delay';

export type FaultDecision =
  | { kind: 'pass' }
  | { kind: 'drop' }
  | { kind: 'corrupt'; bit: number }
  | { kind: 'delay'; seconds: number };

const DEFAULT_DELAY_MS = 20;

function specError(message: string): UsageError {
  return new UsageError(message, {
    code: 'SIM_FAULTS',
    hint: 'use e.g. --faults drop=0.01,corrupt=0.01,delay=0.01,seed=7 (probabilities 0..1, delayms > 0)',
  });
}

/** Parses a `--faults` spec. A missing seed gets a random one (reported back in the config). */
export function parseFaultSpec(spec: string): FaultConfig {
  const config: FaultConfig = { drop: 0, corrupt: 0, delay: 0, delaySeconds: DEFAULT_DELAY_MS / 1000, seed: randomInt(2 ** 31) };
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(.+)$/.exec(part);
    if (!m) throw specError(`--faults: "${part}" is not key=value`);
    const [, key, text] = m;
    const value = Number(text);
    if (!Number.isFinite(value)) throw specError(`--faults: ${key}=${text} is not a number`);
    switch (key) {
      case 'drop':
      case 'corrupt':
      case 'delay':
        if (value < 0 || value > 1) throw specError(`--faults: ${key}=${text} is not a probability between 0 and 1`);
        config[key] = value;
        break;
      case 'delayms':
        if (value <= 0 || value > 10_000) throw specError(`--faults: delayms=${text} must be between 0 and 10000`);
        config.delaySeconds = value / 1000;
        break;
      case 'seed':
        if (!Number.isInteger(value) || value < 0 || value >= 2 ** 32) throw specError(`--faults: seed=${text} must be an integer 0..2^32-1`);
        config.seed = value;
        break;
      default:
        throw specError(`--faults: unknown key "${key}"`);
    }
  }
  if (config.drop + config.corrupt + config.delay > 1) throw specError('--faults: the probabilities add up to more than 1');
  return config;
}

/** mulberry32: a small, well-mixed 32-bit generator returning [0, 1); plenty for choosing faults. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Decides the fate of each byte on the wire. `byte` and `from` say which byte it is, for sources
 * that aim at one (a test that drops exactly the command byte of a page write).
 */
export interface FaultSource {
  next(byte: number, from: 'host' | 'target'): FaultDecision;
}

export class FaultInjector implements FaultSource {
  readonly counts: Record<FaultKind, number> = { drop: 0, corrupt: 0, delay: 0 };
  private readonly random: () => number;

  constructor(readonly config: FaultConfig) {
    this.random = mulberry32(config.seed);
  }

  /** The fate of the next byte on the wire. */
  next(): FaultDecision {
    const { drop, corrupt, delay, delaySeconds } = this.config;
    const r = this.random();
    if (r < drop) {
      this.counts.drop++;
      return { kind: 'drop' };
    }
    if (r < drop + corrupt) {
      this.counts.corrupt++;
      return { kind: 'corrupt', bit: Math.floor(this.random() * 8) };
    }
    if (r < drop + corrupt + delay) {
      this.counts.delay++;
      return { kind: 'delay', seconds: delaySeconds };
    }
    return { kind: 'pass' };
  }
}
