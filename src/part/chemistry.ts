/**
 * The two cell chemistries the board supports: their default limits (the compiled-in firmware
 * defaults and the original generator's, HARDWARE.md) and the limits they survive.
 */
import { UsageError } from '../errors.js';

export type Chemistry = 'LTO' | 'NAION';
export const CHEMISTRIES: readonly Chemistry[] = ['LTO', 'NAION'];

/** The protection limits of one configuration (everything but serial number and temp offset). */
export interface ProtectionLimits {
  /** mV: at or above this the battery enters OVLO. */
  ovloCutoff: number;
  /** mV: in OVLO, at or below this it returns to IDLE. */
  ovloRelease: number;
  /** mV: in UVLO, at or above this it returns to IDLE. */
  uvloRelease: number;
  /** mV: at or below this the battery enters UVLO. */
  uvloCutoff: number;
  /** mA: discharge current above this enters OCLO. */
  maxCurrent: number;
  /** s: how long OCLO keeps the outputs off. */
  ocloTimeout: number;
}

/** What the firmware can be told to do without risking the cell or the board. */
export interface SurvivableBounds {
  /** Lowest voltage limit (cutoff or release) allowed, mV. */
  minMv: number;
  /** Highest voltage limit allowed, mV. */
  maxMv: number;
  /** Highest max_current allowed, mA. */
  maxCurrentMa: number;
}

export interface ChemistryProfile {
  chemistry: Chemistry;
  /** Human name. */
  label: string;
  /** InfluxDB measurement name of this build's log frames (HARDWARE.md, *compat*). */
  measurement: 'lto-bms' | 'nai-bms';
  defaults: ProtectionLimits;
  bounds: SurvivableBounds;
}

/*
 * Survivable bounds, enforced unless --force:
 *
 * LTO 1400–3000 mV. Lithium-titanate cells are specified 1.5–2.8 V (some makers quote 1.7 V
 * minimum or 2.9 V maximum). We allow 100 mV of margin below 1.5 V and 200 mV above 2.8 V,
 * and no more: the LTO build measures the cell through a 1:3 divider against a 1.024 V
 * reference, so 3.072 V is full scale and a cutoff above ~3.0 V could never trip.
 *
 * Na-ion 1500–4000 mV. Sodium-ion cells are specified about 1.5 V (fully discharged) to
 * 3.9–4.0 V (fully charged); beyond that the cell is damaged. The Na-ion build uses the
 * 2.048 V reference (6.1 V full scale), so the ADC is not the limit there.
 *
 * max_current ≤ 2000 mA for both. The board is designed for up to 1 A each way; its 0.1 Ω
 * shunt dissipates I²R = 0.4 W at 2 A, the rating of a typical 1206 current-sense resistor,
 * so twice the design current is the most we accept without --force. 0 is allowed (any
 * discharge then trips OCLO, which is safe).
 */
const MAX_CURRENT_MA = 2000;

export const CHEMISTRY: Readonly<Record<Chemistry, ChemistryProfile>> = {
  LTO: {
    chemistry: 'LTO',
    label: 'lithium-titanate (LTO)',
    measurement: 'lto-bms',
    defaults: { ovloCutoff: 2800, ovloRelease: 2700, uvloRelease: 1800, uvloCutoff: 1700, maxCurrent: 1000, ocloTimeout: 10 },
    bounds: { minMv: 1400, maxMv: 3000, maxCurrentMa: MAX_CURRENT_MA },
  },
  NAION: {
    chemistry: 'NAION',
    label: 'sodium-ion (Na-ion)',
    measurement: 'nai-bms',
    defaults: { ovloCutoff: 3900, ovloRelease: 3800, uvloRelease: 2200, uvloCutoff: 2000, maxCurrent: 1000, ocloTimeout: 10 },
    bounds: { minMv: 1500, maxMv: 4000, maxCurrentMa: MAX_CURRENT_MA },
  },
};

/**
 * `--chemistry` as every command reads it (one rule, README "Chemistries"): case-insensitive,
 * surrounding spaces ignored, `LTO`; `NAION`, `Na-ion` or `Na_ion`. `all` is refused here: a board
 * runs one firmware. Commands that handle several chemistries use {@link parseChemistries}.
 */
export function parseChemistry(text: string, option = '--chemistry'): Chemistry {
  const chemistry = matchChemistry(text);
  if (chemistry) return chemistry;
  if (isAll(text)) {
    throw new UsageError(`${option} all: a board runs one firmware, so this takes one chemistry`, {
      code: 'CHEMISTRY',
      hint: `use ${option} LTO or ${option} NAION`,
      details: { option, value: text },
    });
  }
  throw notAChemistry(text, option, `use ${option} LTO (lithium-titanate) or ${option} NAION (sodium-ion)`);
}

/** {@link parseChemistry}'s rule plus `all` (any case): every chemistry, for `ltobms build`. */
export function parseChemistries(text: string, option = '--chemistry'): Chemistry[] {
  if (isAll(text)) return [...CHEMISTRIES];
  const chemistry = matchChemistry(text);
  if (chemistry) return [chemistry];
  throw notAChemistry(text, option, `use ${option} LTO (lithium-titanate), NAION (sodium-ion) or all`);
}

function matchChemistry(text: string): Chemistry | undefined {
  const key = text.trim().toUpperCase();
  if (key === 'LTO') return 'LTO';
  if (/^NA[-_]?ION$/.test(key)) return 'NAION';
  return undefined;
}

function isAll(text: string): boolean {
  return text.trim().toUpperCase() === 'ALL';
}

function notAChemistry(text: string, option: string, hint: string): UsageError {
  return new UsageError(`${option} ${JSON.stringify(text)} is not a chemistry the board supports`, {
    code: 'CHEMISTRY',
    hint,
    details: { option, value: text },
  });
}
