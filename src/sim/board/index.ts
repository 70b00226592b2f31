/** The virtual board around the emulated chip: cell, shunt, dividers, switches, load, charger (docs/scenarios.md). */
export { DIVIDER_RATIO, SHUNT_OHMS, VirtualBoard, type BoardSnapshot } from './board.js';
export { CELL_DEFAULTS } from './cells.js';
export { LTO_OCV, NAION_OCV, OCV_TABLES, ocvAt, socAtOcv } from './ocv.js';
export type * from './types.js';
