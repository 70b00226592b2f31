/**
 * The memories of the part a programmer can read by name (`ltobms read <memory>`) and those
 * `ltobms write <memory>` takes. A module of its own so a command's declaration and shell
 * completion can list them without loading the programmer.
 */
export const MEMORY_NAMES = ['flash', 'eeprom', 'fuses', 'userrow', 'lock', 'sigrow'] as const;

export type MemoryName = (typeof MEMORY_NAMES)[number];

/** The byte-granular memories `ltobms write` writes (flash, fuses and lock have their own commands). */
export const WRITABLE_MEMORIES = ['userrow', 'eeprom'] as const;

export type WritableMemory = (typeof WRITABLE_MEMORIES)[number];
