/**
 * The memories of the part a programmer can read by name (`ltobms read <memory>`). A module of its own
 * so a command's declaration can list them without loading the programmer.
 */
export const MEMORY_NAMES = ['flash', 'eeprom', 'fuses', 'userrow', 'lock', 'sigrow'] as const;

export type MemoryName = (typeof MEMORY_NAMES)[number];
