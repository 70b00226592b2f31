/**
 * Scenario data (already parsed from JSON or YAML) → a validated {@link Scenario}.
 *
 * The file uses the firmware's units, spelled out in every key (`current_ma`, `cv_mv`, `resistance_mohm`);
 * the board model gets SI units. Chemistry-dependent defaults (capacity, resistance, charger voltage)
 * are filled in here, which is why the chemistry is resolved first. The reference is docs/scenarios.md.
 */
import { CHEMISTRIES } from '../../part/chemistry.js';
import { EEPROM_BYTES } from '../../eeprom/formats.js';
import { CONFIG_FIELDS } from '../../eeprom/image.js';
import { INT_RANGE } from '../../eeprom/parse.js';
import { CELL_DEFAULTS, DEFAULT_STEP_SECONDS, DEFAULT_SWITCH_OHMS } from '../board/cells.js';
import { BOARD_ERROR_KEYS, NO_BOARD_ERRORS, type BoardErrors } from '../board/errors.js';
import { OCV_TABLES, socAtOcv } from '../board/ocv.js';
import { KELVIN_AT_25C } from '../board/schedule.js';
import type { CellConfig, ChargerSegment, Chemistry, LoadSegment, TemperatureProfile } from '../board/types.js';
import { Fields, scenarioError } from './reader.js';
import { BMS_STATES, type BmsState, type EepromFields, type EepromOverrides, type Scenario, type ScenarioExpectations } from './types.js';

export { CHEMISTRIES };

const CELSIUS_ZERO = KELVIN_AT_25C - 25;
/** Temperatures a scenario may ask for (°C): the ATtiny824's operating range and then some. */
const TEMP_RULE = { min: -60, max: 125 };

export interface ParseOptions {
  /** The chemistry asked for on the command line; must agree with the file's if both are given. */
  chemistry?: Chemistry;
}

/** Picks the chemistry: the command line's, else the file's, else LTO; a contradiction is a usage error. */
function resolveChemistry(top: Fields, requested: Chemistry | undefined): Chemistry {
  const inFile = top.choice('chemistry', CHEMISTRIES);
  if (requested && inFile && requested !== inFile) {
    throw scenarioError(
      top.source,
      `is written for ${inFile} but --chemistry ${requested} was given`,
      `drop --chemistry, or change \`chemistry:\` in the scenario to ${requested}`,
    );
  }
  return requested ?? inFile ?? 'LTO';
}

function parseCell(f: Fields | undefined, chemistry: Chemistry): CellConfig {
  const defaults = CELL_DEFAULTS[chemistry];
  if (!f) return { capacityMah: defaults.capacityMah, initialSoc: 0.5, resistanceOhm: defaults.resistanceOhm, resistanceTempCoeff: 0 };
  const capacityMah = f.number('capacity_mah', { above: 0 }) ?? defaults.capacityMah;
  const resistanceMohm = f.number('resistance_mohm', { min: 0 });
  const resistanceTempCoeff = f.number('resistance_tc', { min: 0, max: 1 }) ?? 0;
  const socPct = f.number('soc_pct', { min: 0, max: 100 });
  const table = OCV_TABLES[chemistry];
  const lo = table[0].volts * 1000;
  const hi = table[table.length - 1].volts * 1000;
  const voltageMv = f.number('voltage_mv', { min: 0 });
  if (voltageMv !== undefined && (voltageMv < lo || voltageMv > hi)) {
    f.fail('voltage_mv', `must be within the ${chemistry} open-circuit range, ${lo}–${hi} mV, got ${voltageMv}`);
  }
  if (socPct !== undefined && voltageMv !== undefined) {
    f.fail('voltage_mv', 'and cell.soc_pct both set the starting charge; give only one');
  }
  f.done();
  const initialSoc = voltageMv !== undefined ? socAtOcv(table, voltageMv / 1000) : (socPct ?? 50) / 100;
  return {
    capacityMah,
    initialSoc,
    resistanceOhm: resistanceMohm !== undefined ? resistanceMohm / 1000 : defaults.resistanceOhm,
    resistanceTempCoeff,
  };
}

const LOAD_TYPES = ['off', 'current', 'resistance'] as const;
const CHARGER_TYPES = ['off', 'cc', 'solar'] as const;

/** Reads `at` and `type` of one schedule segment; `at` may be left out on the first segment only. */
function segmentHead<T extends string>(f: Fields, index: number, types: readonly T[]): { at: number; type: T } {
  const at = f.duration('at');
  if (at === undefined && index > 0) f.fail('at', 'is required on every segment after the first (when it starts, e.g. "2h")');
  const type = f.choice('type', types);
  if (type === undefined) f.fail('type', `is required: one of ${types.join(', ')}`);
  return { at: at ?? 0, type };
}

function parseLoadSegment(f: Fields, index: number): LoadSegment {
  const { at, type } = segmentHead(f, index, LOAD_TYPES);
  const qwiicAmps = (f.number('qwiic_ma', { min: 0 }) ?? 0) / 1000;
  let segment: LoadSegment;
  if (type === 'current') segment = { at, qwiicAmps, kind: 'current', amps: f.requiredNumber('current_ma', { min: 0 }) / 1000 };
  else if (type === 'resistance') segment = { at, qwiicAmps, kind: 'resistance', ohms: f.requiredNumber('ohms', { above: 0 }) };
  else segment = { at, qwiicAmps, kind: 'off' };
  f.done();
  return segment;
}

function parseChargerSegment(f: Fields, index: number, chemistry: Chemistry): ChargerSegment {
  const { at, type } = segmentHead(f, index, CHARGER_TYPES);
  let segment: ChargerSegment;
  if (type === 'off') {
    segment = { at, kind: 'off' };
  } else {
    const cvVolts = (f.number('cv_mv', { above: 0 }) ?? CELL_DEFAULTS[chemistry].chargerCvVolts * 1000) / 1000;
    if (type === 'cc') {
      segment = { at, kind: 'cc', amps: f.requiredNumber('current_ma', { min: 0 }) / 1000, cvVolts };
    } else {
      const peakAmps = f.requiredNumber('peak_ma', { min: 0 }) / 1000;
      const sunriseHour = f.hour('sunrise') ?? 6;
      const sunsetHour = f.hour('sunset') ?? 18;
      if (sunriseHour % 24 === sunsetHour % 24) f.fail('sunset', 'must differ from sunrise');
      segment = { at, kind: 'solar', peakAmps, sunriseHour, sunsetHour, cvVolts };
    }
  }
  f.done();
  return segment;
}

/** A schedule: a list of segments (or one segment on its own) with strictly increasing start times. */
function parseSchedule<S extends { at: number }>(top: Fields, key: string, parseOne: (f: Fields, index: number) => S): S[] {
  const items = top.list(key, true) ?? [];
  const segments = items.map((item, i) => parseOne(new Fields(item.value, item.path, top.source), i));
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].at <= segments[i - 1].at) {
      throw scenarioError(top.source, `${key}[${i}].at must come after ${key}[${i - 1}].at (segments are in time order)`);
    }
  }
  return segments;
}

function parseTemperature(top: Fields): TemperatureProfile {
  const value = top.raw('temperature');
  if (value === undefined || value === null) return { kind: 'constant', kelvin: KELVIN_AT_25C };
  if (typeof value === 'number') {
    top.number('temperature', TEMP_RULE);
    return { kind: 'constant', kelvin: value + CELSIUS_ZERO };
  }
  if (typeof value !== 'object') top.fail('temperature', `must be °C as a number, {celsius: …} or {min_c: …, max_c: …, peak_hour: …}, got ${JSON.stringify(value)}`);
  const f = top.fields('temperature') as Fields;
  const celsius = f.number('celsius', TEMP_RULE);
  const minC = f.number('min_c', TEMP_RULE);
  const maxC = f.number('max_c', TEMP_RULE);
  const peakHour = f.hour('peak_hour');
  f.done();
  if (celsius !== undefined) {
    if (minC !== undefined || maxC !== undefined) f.fail('celsius', 'is a constant temperature; leave out min_c/max_c, or drop celsius for a daily cycle');
    return { kind: 'constant', kelvin: celsius + CELSIUS_ZERO };
  }
  if (minC === undefined) return f.fail('min_c', 'is required: give celsius, or min_c and max_c for a daily cycle');
  if (maxC === undefined) return f.fail('max_c', 'is required: give celsius, or min_c and max_c for a daily cycle');
  if (maxC < minC) f.fail('max_c', `must not be below min_c (${minC})`);
  return { kind: 'daily', minK: minC + CELSIUS_ZERO, maxK: maxC + CELSIUS_ZERO, peakHour: peakHour ?? 15 };
}

/** `board.errors`: the board's component tolerances, each 0 unless given (docs/scenarios.md). */
function parseBoardErrors(f: Fields | undefined): BoardErrors {
  const errors = { ...NO_BOARD_ERRORS };
  if (!f) return errors;
  for (const k of BOARD_ERROR_KEYS) {
    errors[k.key] = f.number(k.name, { min: -k.limit, max: k.limit, integer: k.integer }) ?? 0;
  }
  f.done();
  return errors;
}

function parseEeprom(f: Fields | undefined): EepromOverrides | undefined {
  if (!f) return undefined;
  const raw = f.string('raw');
  const fields: Partial<EepromFields> = {};
  for (const field of CONFIG_FIELDS) {
    const n = f.number(field.name, { integer: true, ...INT_RANGE[field.type] });
    if (n !== undefined) fields[field.key] = n;
  }
  f.done();
  if (raw === undefined) return { kind: 'fields', fields };
  if (Object.keys(fields).length) f.fail('raw', 'gives the exact bytes; leave out the other eeprom keys');
  const hex = raw.replace(/[\s:-]/g, '').replace(/^0x/i, '');
  if (!/^([0-9a-f]{2})+$/i.test(hex) || hex.length / 2 > EEPROM_BYTES) {
    f.fail('raw', `must be 1–${EEPROM_BYTES} bytes as hex digits (e.g. "3773 0700 …"), got ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return { kind: 'raw', bytes: Uint8Array.from(hex.match(/../g) as string[], (b) => parseInt(b, 16)) };
}

function parseState(f: Fields, key: string, value: unknown): BmsState {
  const name = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const full = (name.startsWith('BMS_STATE_') ? name : `BMS_STATE_${name}`) as BmsState;
  if (!BMS_STATES.includes(full)) {
    f.fail(key, `must name a firmware state (${BMS_STATES.map((s) => s.slice(10)).join(', ')}), got ${JSON.stringify(value)}`);
  }
  return full;
}

function parseSwitch(f: Fields, key: string): boolean | undefined {
  const value = f.raw(key);
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 'on' || value === 'ON') return true;
  if (value === false || value === 'off' || value === 'OFF') return false;
  f.fail(key, `must be on or off, got ${JSON.stringify(value)}`);
}

function parseExpect(f: Fields | undefined): ScenarioExpectations {
  if (!f) return {};
  const expect: ScenarioExpectations = {};
  const states = f.list('states');
  if (states) expect.states = states.map((s, i) => parseState(f, `states[${i}]`, s.value));
  const final = f.raw('final_state');
  if (final !== undefined && final !== null) expect.finalState = parseState(f, 'final_state', final);
  const outputs = f.fields('outputs');
  if (outputs) {
    expect.finalOutputs = { main: parseSwitch(outputs, 'main'), qwiic: parseSwitch(outputs, 'qwiic') };
    outputs.done();
  }
  const minFrames = f.number('min_frames', { integer: true, min: 0 });
  if (minFrames !== undefined) expect.minFrames = minFrames;
  f.done();
  return expect;
}

/** Validates parsed scenario data; `source` names the file in errors. */
export function parseScenario(data: unknown, source: string, options: ParseOptions = {}): Scenario {
  const top = new Fields(data, '', source);
  const chemistry = resolveChemistry(top, options.chemistry);
  const name = top.string('name') ?? source.replace(/^.*[\\/]/, '').replace(/\.(json|ya?ml)$/i, '');
  const description = top.string('description');
  const durationSeconds = top.duration('duration');
  if (durationSeconds === 0) top.fail('duration', 'must be longer than 0 s (leave it out to run until stopped)');
  const startHour = top.hour('start_hour') ?? 0;
  const cell = parseCell(top.fields('cell'), chemistry);
  const load = parseSchedule(top, 'load', parseLoadSegment);
  const charger = parseSchedule(top, 'charger', (f, i) => parseChargerSegment(f, i, chemistry));
  const temperature = parseTemperature(top);
  const boardFields = top.fields('board');
  const switchMohm = boardFields?.number('switch_mohm', { min: 0 });
  const quiescentUa = boardFields?.number('quiescent_ua', { min: 0 });
  const step = boardFields?.duration('step');
  if (step !== undefined && !(step > 0 && step <= 60)) boardFields?.fail('step', 'must be more than 0 s and at most 60 s');
  const errors = parseBoardErrors(boardFields?.fields('errors'));
  boardFields?.done();
  const eeprom = parseEeprom(top.fields('eeprom'));
  const expect = parseExpect(top.fields('expect'));
  top.done();
  return {
    source,
    name,
    ...(description !== undefined && { description }),
    chemistry,
    ...(durationSeconds !== undefined && { durationSeconds }),
    board: {
      chemistry,
      cell,
      load,
      charger,
      temperature,
      startHour,
      switchOhm: switchMohm !== undefined ? switchMohm / 1000 : DEFAULT_SWITCH_OHMS,
      quiescentAmps: (quiescentUa ?? 0) / 1e6,
      stepSeconds: step ?? DEFAULT_STEP_SECONDS,
      errors,
    },
    ...(eeprom !== undefined && { eeprom }),
    expect,
  };
}

/** The scenario `ltobms sim` runs without --scenario: a half-full cell, a 20 mA load, no charger, no end. */
export function defaultScenario(chemistry: Chemistry): Scenario {
  return parseScenario(
    { name: 'built-in: half-full cell, 20 mA load', load: { type: 'current', current_ma: 20 } },
    'built-in',
    { chemistry },
  );
}
