/**
 * The board's part: the ATtiny824 row of the 2-series table plus what only the board's own part
 * needs, its SRAM (the linker's data region, the emulator's RAM). ATTINY824_FACTS.md §1.1:
 * SRAM 1024 B at 0x3C00–0x3FFF (avr-libc RAMSTART/RAMEND).
 */
import { deviceByName, type DeviceInfo } from './tinyavr2.js';

export interface BoardPart extends DeviceInfo {
  /** First SRAM address in data space (RAMSTART). */
  sramStart: number;
  sramSize: number;
}

export const ATTINY824: BoardPart = {
  ...deviceByName('ATtiny824')!,
  sramStart: 0x3c00,
  sramSize: 1024,
};
