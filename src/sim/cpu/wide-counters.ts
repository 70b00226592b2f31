// Counters that outgrow V8's small integers (31 bits: 2^30 cycles is 14 simulated minutes at 1.25 MHz) must be
// stored as doubles from the start. A field first holds a small integer; when a value no longer fits, V8 changes
// the field's representation, which retires the object's shape and throws away every optimised function that
// touched the object — for the CPU that is every decoded instruction, the run loop and the peripherals, all of
// which then run slowly until they are optimised again (about 0.3 s of CPU, once per run, measured in
// bench:sim). Storing a fractional value once, before any code runs, makes the field a double for good; the
// counter's value is then put back.

/** Makes the named number fields of `target` double fields (their values unchanged). Call in the constructor,
 * after the fields are initialised (private fields too, hence names as strings: a name that is not a number field
 * throws). */
export function widenCounters(target: object, ...keys: string[]): void {
  const fields = target as Record<string, number>;
  for (const key of keys) {
    const value = fields[key];
    if (typeof value !== 'number') throw new TypeError(`widenCounters: ${key} is not a number field`);
    fields[key] = 0.5;
    fields[key] = value;
  }
}
