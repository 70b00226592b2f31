import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close } from './assert-close.js';
import { chargerAt, hourOfDay, loadAt, resistanceAt, solarAmps, temperatureAt, temperatureMonotone } from '../../../src/sim/board/schedule.js';

test('solar current: a half sine from sunrise to sunset, zero at night', () => {
  close(solarAmps(0.4, 6, 18, 12), 0.4);
  close(solarAmps(0.4, 6, 18, 9), 0.4 * Math.SQRT1_2);
  assert.equal(solarAmps(0.4, 6, 18, 3), 0);
  assert.equal(solarAmps(0.4, 6, 18, 18), 0);
  assert.equal(solarAmps(0.4, 6, 18, 6), 0);
  // A day across midnight (sunrise 22:00, sunset 06:00) peaks at 02:00.
  close(solarAmps(0.4, 22, 6, 2), 0.4);
  assert.equal(solarAmps(0.4, 22, 6, 12), 0);
});

test('hour of day runs from the start hour and wraps', () => {
  close(hourOfDay(0, 5), 5);
  close(hourOfDay(20 * 3600, 5), 1);
  close(hourOfDay(90, 23.5), 23.525);
});

test('daily temperature: max at the peak hour, min twelve hours away, mean halfway', () => {
  const p = { kind: 'daily' as const, minK: 278.15, maxK: 298.15, peakHour: 15 };
  close(temperatureAt(p, 15 * 3600, 0), 298.15);
  close(temperatureAt(p, 3 * 3600, 0), 278.15);
  close(temperatureAt(p, 9 * 3600, 0), 288.15);
  close(temperatureAt(p, 0, 15), 298.15);
});

test('daily temperature is monotone between its turning points (peak hour, 12 h later), not across or next to them', () => {
  const p = { kind: 'daily' as const, minK: 278.15, maxK: 298.15, peakHour: 15 };
  const h = 3600;
  assert.equal(temperatureMonotone(p, 10 * h, 10 * h + 0.001, 0), true);
  assert.equal(temperatureMonotone(p, 16 * h, 26 * h, 0), true);
  assert.equal(temperatureMonotone(p, 14 * h, 16 * h, 0), false); // across the maximum at 15:00
  assert.equal(temperatureMonotone(p, 2 * h, 4 * h, 0), false); // across the minimum at 03:00
  assert.equal(temperatureMonotone(p, 15 * h - 1, 15 * h - 0.999, 0), false); // a second before the maximum
  assert.equal(temperatureMonotone(p, 15 * h + 1, 15 * h + 1.001, 0), false); // a second after it
  assert.equal(temperatureMonotone(p, 6 * h, 6 * h + 0.001, 9), false); // start hour 9: 15:00 is 6 h in
  assert.equal(temperatureMonotone({ kind: 'constant', kelvin: 290 }, 0, 86_400, 0), true);
});

test('internal resistance: +tc per kelvin below 25 °C, never under a fifth of R25', () => {
  close(resistanceAt(0.04, 0.02, 273.15), 0.06);
  close(resistanceAt(0.04, 0, 233.15), 0.04);
  close(resistanceAt(0.04, 0.1, 373.15), 0.008);
});

test('segments: the last one started is in force; before the first nothing is connected', () => {
  const load = [
    { at: 10, kind: 'current' as const, amps: 0.1, qwiicAmps: 0.002 },
    { at: 20, kind: 'resistance' as const, ohms: 4, qwiicAmps: 0 },
  ];
  assert.deepEqual(loadAt(load, 5), { amps: 0, siemens: 0, qwiicAmps: 0 });
  assert.deepEqual(loadAt(load, 10), { amps: 0.1, siemens: 0, qwiicAmps: 0.002 });
  assert.deepEqual(loadAt(load, 25), { amps: 0, siemens: 0.25, qwiicAmps: 0 });
  const ch = [{ at: 0, kind: 'cc' as const, amps: 0.5, cvVolts: 2.85 }, { at: 60, kind: 'off' as const }];
  assert.deepEqual(chargerAt(ch, 30, 0), { amps: 0.5, cvVolts: 2.85 });
  assert.equal(chargerAt(ch, 60, 0), undefined);
});
