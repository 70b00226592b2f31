/**
 * Time-dependent inputs of the board: load and charger schedules and the temperature.
 * Pure functions of the configuration and the simulated time t (s since the start).
 */
import type { ChargerSegment, LoadSegment, TemperatureProfile } from './types.js';

const SECONDS_PER_DAY = 86_400;
const KELVIN_AT_25C = 298.15;

/** The segment in force at time t (the last one with `at` ≤ t), or undefined before the first. */
export function segmentAt<S extends { at: number }>(segments: readonly S[], t: number): S | undefined {
  let found: S | undefined;
  for (const s of segments) {
    if (s.at > t) break;
    found = s;
  }
  return found;
}

/** The first segment start strictly after t, or Infinity. */
export function nextSegmentStart(segments: readonly { at: number }[], t: number): number {
  for (const s of segments) if (s.at > t) return s.at;
  return Infinity;
}

/** Hour of the day (0 ≤ h < 24) at simulated time t. */
export function hourOfDay(t: number, startHour: number): number {
  const h = (startHour + t / 3600) % 24;
  return h < 0 ? h + 24 : h;
}

/**
 * A solar charger's current limit (A) at an hour of the day: a half sine between sunrise and
 * sunset (peak at solar noon, halfway between), zero at night. Sunset may be before sunrise
 * (a day that wraps past midnight is allowed, e.g. sunrise 22, sunset 6).
 */
export function solarAmps(peakAmps: number, sunriseHour: number, sunsetHour: number, hour: number): number {
  const dayLength = (sunsetHour - sunriseHour + 24) % 24;
  const sinceSunrise = (hour - sunriseHour + 24) % 24;
  if (dayLength === 0 || sinceSunrise >= dayLength) return 0;
  return peakAmps * Math.sin((Math.PI * sinceSunrise) / dayLength);
}

/** The load in force at t as a current sink plus a conductance; the 3.3 V output's draw separately. */
export interface LoadNow {
  amps: number;
  siemens: number;
  qwiicAmps: number;
}

export function loadAt(segments: readonly LoadSegment[], t: number): LoadNow {
  const s = segmentAt(segments, t);
  if (!s) return { amps: 0, siemens: 0, qwiicAmps: 0 };
  switch (s.kind) {
    case 'off':
      return { amps: 0, siemens: 0, qwiicAmps: s.qwiicAmps };
    case 'current':
      return { amps: s.amps, siemens: 0, qwiicAmps: s.qwiicAmps };
    case 'resistance':
      return { amps: 0, siemens: 1 / s.ohms, qwiicAmps: s.qwiicAmps };
  }
}

/** A charger that is delivering: its current limit and its constant-voltage limit. */
export interface ChargerNow {
  amps: number;
  cvVolts: number;
}

/** The charger at t, or undefined when none is connected or it has nothing to give (a solar panel at night). */
export function chargerAt(segments: readonly ChargerSegment[], t: number, startHour: number): ChargerNow | undefined {
  const s = segmentAt(segments, t);
  if (!s || s.kind === 'off') return undefined;
  const amps =
    s.kind === 'cc' ? s.amps : solarAmps(s.peakAmps, s.sunriseHour, s.sunsetHour, hourOfDay(t, startHour));
  return amps > 0 ? { amps, cvVolts: s.cvVolts } : undefined;
}

/** Cell (and die) temperature in kelvin at t. */
export function temperatureAt(profile: TemperatureProfile, t: number, startHour: number): number {
  if (profile.kind === 'constant') return profile.kelvin;
  const mid = (profile.maxK + profile.minK) / 2;
  const amplitude = (profile.maxK - profile.minK) / 2;
  const phase = ((hourOfDay(t, startHour) - profile.peakHour) / 24) * 2 * Math.PI;
  return mid + amplitude * Math.cos(phase);
}

/** Hours kept clear of a daily temperature extreme by {@link temperatureMonotone} (a few seconds: far more than
 * the rounding of the hour arithmetic, far less than anything that asks). */
const EXTREME_GUARD_HOURS = 1e-3;

/** True if the temperature moves in one direction only (or not at all) from t1 to t2 (t1 ≤ t2): no daily
 * maximum or minimum in between or within a few seconds of either end. */
export function temperatureMonotone(profile: TemperatureProfile, t1: number, t2: number, startHour: number): boolean {
  if (profile.kind === 'constant') return true;
  // The extremes are at peakHour and 12 hours later (the cosine's turning points).
  const sinceExtreme = (((hourOfDay(t1, startHour) - profile.peakHour) % 12) + 12) % 12;
  return sinceExtreme > EXTREME_GUARD_HOURS && sinceExtreme + (t2 - t1) / 3600 < 12 - EXTREME_GUARD_HOURS;
}

/** Internal resistance (Ω) at temperature `kelvin`: grows linearly as the cell gets colder than 25 °C. */
export function resistanceAt(r25: number, tempCoeff: number, kelvin: number): number {
  return Math.max(r25 / 5, r25 * (1 + tempCoeff * (KELVIN_AT_25C - kelvin)));
}

export { SECONDS_PER_DAY, KELVIN_AT_25C };
