/**
 * Open-circuit voltage (OCV) of one cell as a function of its state of charge (SoC).
 *
 * Piecewise-linear tables, one per chemistry. They are typical curve shapes, not a fit to one
 * product; what the firmware cares about is where the thresholds sit on the curve, and the tables
 * put them where published figures do:
 * - LTO (lithium-titanate anode against an LMO/NMC cathode): nominal 2.4 V (2.3 V mid-plateau),
 *   usable range 1.5–2.8 V per the upstream LTO-BMS README and common LTO 18650/66160 datasheets
 *   (e.g. Toshiba SCiB: nominal 2.4 V, range 1.5–2.7 V); a long flat plateau around 2.2–2.4 V with
 *   steep knees at both ends.
 * - Na-ion (layered-oxide cathode, hard-carbon anode): a sloped curve with no plateau; Hakadi
 *   18650 datasheet as restated by a public test bench (github.com/MaxMax-embedded/hakadi_soidum_ion_18650):
 *   1500 mAh, charge voltage 4.1 V, cut-off 1.5 V, internal resistance < 20 mΩ; the table ends at
 *   4.0 V (fully charged at rest) so that the firmware's 3.9 V OVLO cut-off falls just below full.
 *
 * Outside 0–100 % the end segments are extended with their own slope (an over-charged cell keeps
 * rising steeply, an over-discharged one keeps falling), never below 0 V. The coulomb counter is
 * not clamped: the model must stay honest when the firmware fails to protect the cell.
 */
import type { Chemistry } from './types.js';

/** One row of an OCV table: state of charge (0–1) and open-circuit voltage (V). */
export interface OcvPoint {
  soc: number;
  volts: number;
}

export const LTO_OCV: readonly OcvPoint[] = [
  { soc: 0.0, volts: 1.5 },
  { soc: 0.02, volts: 1.8 },
  { soc: 0.05, volts: 2.05 },
  { soc: 0.1, volts: 2.16 },
  { soc: 0.2, volts: 2.22 },
  { soc: 0.3, volts: 2.25 },
  { soc: 0.4, volts: 2.27 },
  { soc: 0.5, volts: 2.29 },
  { soc: 0.6, volts: 2.31 },
  { soc: 0.7, volts: 2.33 },
  { soc: 0.8, volts: 2.36 },
  { soc: 0.9, volts: 2.42 },
  { soc: 0.95, volts: 2.5 },
  { soc: 0.98, volts: 2.62 },
  { soc: 1.0, volts: 2.8 },
];

export const NAION_OCV: readonly OcvPoint[] = [
  { soc: 0.0, volts: 1.5 },
  { soc: 0.02, volts: 2.0 },
  { soc: 0.05, volts: 2.3 },
  { soc: 0.1, volts: 2.55 },
  { soc: 0.2, volts: 2.8 },
  { soc: 0.3, volts: 2.95 },
  { soc: 0.4, volts: 3.07 },
  { soc: 0.5, volts: 3.18 },
  { soc: 0.6, volts: 3.3 },
  { soc: 0.7, volts: 3.44 },
  { soc: 0.8, volts: 3.6 },
  { soc: 0.9, volts: 3.78 },
  { soc: 1.0, volts: 4.0 },
];

export const OCV_TABLES: Readonly<Record<Chemistry, readonly OcvPoint[]>> = {
  LTO: LTO_OCV,
  NAION: NAION_OCV,
};

/** Index i of the segment [i, i+1] whose `key` range holds `x` (end segments extend outwards). The key is read
 * through a function literal at each call site, not `table[mid][key]`: ocvAt runs for every ADC sample, and a
 * property looked up by a variable name is several times slower. */
function segmentIndex(table: readonly OcvPoint[], x: number, keyOf: (p: OcvPoint) => number): number {
  let lo = 0;
  let hi = table.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (keyOf(table[mid]) <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const socOf = (p: OcvPoint): number => p.soc;
const voltsOf = (p: OcvPoint): number => p.volts;

/** Open-circuit voltage (V) at state of charge `soc` (0–1; extrapolated outside). */
export function ocvAt(table: readonly OcvPoint[], soc: number): number {
  const i = segmentIndex(table, soc, socOf);
  const a = table[i];
  const b = table[i + 1];
  const v = a.volts + ((soc - a.soc) * (b.volts - a.volts)) / (b.soc - a.soc);
  return Math.max(0, v);
}

/** {@link ocvAt} over one table, remembering the segment of the last query: the board asks for the OCV at every
 * ADC sample, and nearly always in the segment it asked in last. The segment is the one ocvAt's search finds and the
 * arithmetic is the same, so the result is the same to the bit. */
export class OcvCurve {
  private segment = 0;
  constructor(private readonly table: readonly OcvPoint[]) {}

  at(soc: number): number {
    const table = this.table;
    const last = table.length - 2;
    let i = this.segment;
    // segmentIndex's answer: the last segment starting at or below soc, the first one if none does.
    if (!((i === 0 || table[i].soc <= soc) && (i === last || table[i + 1].soc > soc))) {
      i = segmentIndex(table, soc, socOf);
      this.segment = i;
    }
    const a = table[i];
    const b = table[i + 1];
    const v = a.volts + ((soc - a.soc) * (b.volts - a.volts)) / (b.soc - a.soc);
    return Math.max(0, v);
  }
}

/** State of charge (0–1) whose open-circuit voltage is `volts`: the inverse of {@link ocvAt}. */
export function socAtOcv(table: readonly OcvPoint[], volts: number): number {
  const i = segmentIndex(table, volts, voltsOf);
  const a = table[i];
  const b = table[i + 1];
  return a.soc + ((volts - a.volts) * (b.soc - a.soc)) / (b.volts - a.volts);
}
