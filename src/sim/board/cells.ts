/**
 * Default cell and charger figures per chemistry, used when a scenario leaves them out.
 * - LTO: a 1.3 Ah cylindrical LTO cell with 40 mΩ DC resistance, typical of the 18650-size LTO cells sold
 *   for small solar nodes. Its charger's constant-voltage limit defaults to 2.85 V: LTO chargers are set
 *   anywhere from 2.7 to 2.9 V (makers quote 2.8 or 2.9 V maximum), and a charger a little above the
 *   firmware's 2.8 V OVLO cut-off is the case the protection exists for.
 * - Na-ion: the Hakadi 18650 datasheet figures (1500 mAh, < 20 mΩ; see ocv.ts for the source), charger
 *   limit 4.0 V, the top of the OCV table and above the firmware's 3.9 V OVLO cut-off (the datasheet allows 4.1 V).
 */
import type { Chemistry } from './types.js';

export interface CellDefaults {
  capacityMah: number;
  resistanceOhm: number;
  chargerCvVolts: number;
}

export const CELL_DEFAULTS: Readonly<Record<Chemistry, CellDefaults>> = {
  LTO: { capacityMah: 1300, resistanceOhm: 0.04, chargerCvVolts: 2.85 },
  NAION: { capacityMah: 1500, resistanceOhm: 0.02, chargerCvVolts: 4.0 },
};

/** Main switch on-resistance when a scenario does not give one (a small logic-level MOSFET). */
export const DEFAULT_SWITCH_OHMS = 0.05;
/** Default model step: currents are re-solved at least once per simulated second. */
export const DEFAULT_STEP_SECONDS = 1;
