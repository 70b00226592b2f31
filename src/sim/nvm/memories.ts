/**
 * The nonvolatile memories of an ATtiny824, as plain byte arrays.
 *
 * One instance is the chip's NVM: the UPDI target programs it, the CPU emulator fetches from
 * `flash` and reads the rest through the data space, and a state file keeps it between runs.
 * The arrays are allocated once and never replaced (`load` copies into them), so a CPU or
 * peripheral may hold a reference to `memories.flash` for its whole life.
 *
 * Sizes, addresses and defaults: ATTINY824_FACTS.md §1.1–1.3 (avr-libc iotn824.h, avrdude t824).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExitCode, LtobmsError, UsageError } from '../../errors.js';
import { ATTINY824 } from '../../part/attiny824.js';
import { FUSE, FUSE_BYTES, FUSE_DEFAULTS, SYSCFG0_EESAVE } from '../../part/fuses.js';
import { DATA_SPACE, LOCKBIT, SERIAL_NUMBER_SIZE, SIGROW_OFFSET, SIGROW_SIZE } from '../../part/tinyavr2.js';

export { FUSE, SYSCFG0_EESAVE } from '../../part/fuses.js';
export { SERIAL_NUMBER_SIZE, SIGROW_OFFSET, SIGROW_SIZE } from '../../part/tinyavr2.js';

// The part's facts come from src/part; the names below are the emulator's view of them.
export const FLASH_SIZE = ATTINY824.flashSize;
export const FLASH_PAGE_SIZE = ATTINY824.flashPageSize;
export const EEPROM_SIZE = ATTINY824.eepromSize;
export const EEPROM_PAGE_SIZE = ATTINY824.eepromPageSize;
export const FUSES_SIZE = FUSE_BYTES;
export const USERROW_SIZE = ATTINY824.userRowSize;

/** Data-space addresses of the NVM windows (the UPDI and the CPU see the same map). */
export const NVM_ADDR = {
  nvmctrl: DATA_SPACE.NVMCTRL,
  sigrow: DATA_SPACE.SIGROW,
  fuses: DATA_SPACE.FUSES,
  lockbits: DATA_SPACE.LOCKBIT,
  userrow: DATA_SPACE.USERROW,
  eeprom: DATA_SPACE.EEPROM,
  flash: DATA_SPACE.MAPPED_FLASH,
} as const;

/** LOCKBIT value of an unlocked part (`LB_NOLOCK`); anything else locks it (0x3A = `LB_RWLOCK`). */
export const LOCK_UNLOCKED = LOCKBIT.NOLOCK;
export const LOCK_RWLOCK = LOCKBIT.RWLOCK;

/** Signature bytes (SIGROW.DEVICEID0..2). */
export const SIGNATURE = ATTINY824.signature;

/** Factory fuse values (src/part/fuses.ts). */
export const FACTORY_FUSES = FUSE_DEFAULTS;

/**
 * Default unique ID: ten bytes shaped like a real part's (an ASCII lot code, then wafer and
 * die coordinates). Give each virtual board its own with `--serial`.
 */
export const DEFAULT_SERIAL_NUMBER: readonly number[] = [0x30, 0x41, 0x37, 0x41, 0x34, 0x32, 0x0c, 0x3f, 0x50, 0x01];

/**
 * Calibration bytes in the ranges real tinyAVR 2-series parts carry (dumps of ATtiny1624
 * signature rows read 0x84–0x89 for the temperature-sensor gain and small signed offsets).
 * TEMPSENSE0 is the gain (unsigned), TEMPSENSE1 the offset (signed).
 */
export const DEFAULT_CALIBRATION = {
  osccal16m: [0xa2, 0x06],
  osccal20m: [0x21, 0x06],
  tempsense0: 0x89,
  tempsense1: 0xfc,
} as const;

export interface NvmMemoriesOptions {
  /** The 10-byte serial number (unique ID) at SIGROW+3. */
  serialNumber?: ArrayLike<number>;
  /** TEMPSENSE0 (gain, 0..255) and TEMPSENSE1 (offset, -128..127). */
  tempsense?: { gain: number; offset: number };
}

/** The names of the memories, as used in the state file and in messages. */
export const MEMORY_NAMES = ['flash', 'eeprom', 'fuses', 'lockbits', 'userrow', 'sigrow'] as const;
export type NvmMemoryName = (typeof MEMORY_NAMES)[number];

const STATE_FORMAT = 'ltobms-sim-nvm';
const STATE_VERSION = 1;

/** The JSON state file: every memory as one lowercase hex string. */
export interface NvmStateFile {
  format: typeof STATE_FORMAT;
  version: number;
  device: 'ATtiny824';
  flash: string;
  eeprom: string;
  fuses: string;
  lockbits: string;
  userrow: string;
  sigrow: string;
}

function badState(source: string, why: string): LtobmsError {
  return new LtobmsError(`${source} is not a usable simulator state (${why})`, {
    code: 'SIM_STATE',
    exitCode: ExitCode.usage,
    hint: 'delete it to start from a factory-fresh part, or point --state at another file',
    details: { source },
  });
}

export class NvmMemories {
  readonly flash = new Uint8Array(FLASH_SIZE);
  readonly eeprom = new Uint8Array(EEPROM_SIZE);
  readonly fuses = new Uint8Array(FUSES_SIZE);
  readonly lockbits = new Uint8Array(1);
  readonly userrow = new Uint8Array(USERROW_SIZE);
  readonly sigrow = new Uint8Array(SIGROW_SIZE);

  /** A factory-fresh part: flash, EEPROM and user row erased, default fuses, unlocked. */
  constructor(options: NvmMemoriesOptions = {}) {
    this.flash.fill(0xff);
    this.eeprom.fill(0xff);
    this.userrow.fill(0xff);
    this.fuses.set(FACTORY_FUSES);
    this.lockbits[0] = LOCK_UNLOCKED;
    this.sigrow.fill(0xff);
    this.sigrow.set(SIGNATURE, SIGROW_OFFSET.deviceId);
    this.sigrow.set(DEFAULT_CALIBRATION.osccal16m, SIGROW_OFFSET.osccal16m);
    this.sigrow.set(DEFAULT_CALIBRATION.osccal20m, SIGROW_OFFSET.osccal20m);
    this.setSerialNumber(options.serialNumber ?? DEFAULT_SERIAL_NUMBER);
    const tempsense = options.tempsense ?? {
      gain: DEFAULT_CALIBRATION.tempsense0,
      offset: (DEFAULT_CALIBRATION.tempsense1 << 24) >> 24,
    };
    this.setTempsense(tempsense.gain, tempsense.offset);
  }

  /** The memory with that name (the live array). */
  memory(name: NvmMemoryName): Uint8Array {
    return this[name];
  }

  /** True when the lock bits hold anything but 0xC5 (takes effect at the next reset). */
  get lockBitsSet(): boolean {
    return this.lockbits[0] !== LOCK_UNLOCKED;
  }

  /** FUSE.SYSCFG0.EESAVE: chip erase keeps the EEPROM. */
  get eesave(): boolean {
    return (this.fuses[FUSE.SYSCFG0] & SYSCFG0_EESAVE) !== 0;
  }

  get serialNumber(): Uint8Array {
    return this.sigrow.slice(SIGROW_OFFSET.serialNumber, SIGROW_OFFSET.serialNumber + SERIAL_NUMBER_SIZE);
  }

  setSerialNumber(bytes: ArrayLike<number>): void {
    if (bytes.length !== SERIAL_NUMBER_SIZE) {
      throw new UsageError(`the serial number must be ${SERIAL_NUMBER_SIZE} bytes, got ${bytes.length}`, {
        code: 'SIM_SERIAL',
        hint: 'give 20 hex digits, e.g. --serial 30413741343200000001',
      });
    }
    this.sigrow.set(Array.from(bytes, (b) => b & 0xff), SIGROW_OFFSET.serialNumber);
  }

  setTempsense(gain: number, offset: number): void {
    if (!Number.isInteger(gain) || gain < 0 || gain > 255 || !Number.isInteger(offset) || offset < -128 || offset > 127) {
      throw new UsageError(`temperature calibration out of range (gain ${gain}, offset ${offset})`, {
        code: 'SIM_TEMPSENSE',
        hint: 'the gain is 0..255 and the offset -128..127',
      });
    }
    this.sigrow[SIGROW_OFFSET.tempsense0] = gain;
    this.sigrow[SIGROW_OFFSET.tempsense1] = offset & 0xff;
  }

  /** Copies every memory from another instance. */
  copyFrom(other: NvmMemories): void {
    for (const name of MEMORY_NAMES) this[name].set(other[name]);
  }

  toState(): NvmStateFile {
    const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      device: 'ATtiny824',
      flash: hex(this.flash),
      eeprom: hex(this.eeprom),
      fuses: hex(this.fuses),
      lockbits: hex(this.lockbits),
      userrow: hex(this.userrow),
      sigrow: hex(this.sigrow),
    };
  }

  /** Replaces every memory with the contents of a parsed state file (validated first, all or nothing). */
  fromState(state: unknown, source = 'state file'): void {
    const bad = (why: string) => badState(source, why);
    if (typeof state !== 'object' || state === null) throw bad('not a JSON object');
    const s = state as Record<string, unknown>;
    if (s.format !== STATE_FORMAT) throw bad(`format is ${JSON.stringify(s.format)}, expected "${STATE_FORMAT}"`);
    if (s.version !== STATE_VERSION) throw bad(`version ${JSON.stringify(s.version)} is not supported`);
    const decoded = new Map<NvmMemoryName, Buffer>();
    for (const name of MEMORY_NAMES) {
      const text = s[name];
      const size = this[name].length;
      if (typeof text !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(text)) throw bad(`${name} is not a hex string`);
      if (text.length !== size * 2) throw bad(`${name} holds ${text.length / 2} bytes, expected ${size}`);
      decoded.set(name, Buffer.from(text, 'hex'));
    }
    for (const [name, bytes] of decoded) this[name].set(bytes);
  }

  /** Loads a state file written by {@link save}. */
  load(stateFile: string): void {
    let text: string;
    try {
      text = readFileSync(stateFile, 'utf8');
    } catch (err) {
      throw new LtobmsError(`cannot read the simulator state ${stateFile}: ${(err as Error).message}`, {
        code: 'SIM_STATE_IO',
        hint: 'check the path and its permissions',
        cause: err,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw badState(stateFile, 'not valid JSON');
    }
    this.fromState(json, stateFile);
  }

  /** Writes the state file atomically (temporary file in the same directory, then rename). */
  save(stateFile: string): void {
    const tmp = `${stateFile}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(stateFile), { recursive: true });
      writeFileSync(tmp, JSON.stringify(this.toState(), null, 1) + '\n');
      renameSync(tmp, stateFile);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new LtobmsError(`cannot write the simulator state ${stateFile}: ${(err as Error).message}`, {
        code: 'SIM_STATE_IO',
        hint: 'check that the directory exists and is writable',
        cause: err,
      });
    }
  }

  /** A fresh instance loaded from a state file. */
  static fromFile(stateFile: string): NvmMemories {
    const m = new NvmMemories();
    m.load(stateFile);
    return m;
  }
}
