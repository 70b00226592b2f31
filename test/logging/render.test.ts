import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFrameLine, formatSummary, frameRecord, wantColour } from '../../src/logging/render.js';
import type { Frame } from '../../src/logging/frame.js';
import type { LogSummary } from '../../src/logging/session.js';

const frame: Frame = {
  measurement: 'lto-bms', id: '0007', uptime: 60, v_batt: 2512, v_load: 2509, current: -35,
  E_dis: 0, E_chg: 1, charge: -1, temp: 297, gain: 16, state: 'BMS_STATE_CHARGING',
};
// 2023-11-14T22:13:20.123456789Z
const point = { frame, timeNs: 1_700_000_000_123_456_789n };

test('the JSON record carries every frame field, the port and the time twice (ISO, exact ns)', () => {
  const r = frameRecord('/dev/ttyUSB0', point);
  assert.deepEqual(r, { type: 'frame', time: '2023-11-14T22:13:20.123Z', timeNs: '1700000000123456789', port: '/dev/ttyUSB0', ...frame });
});

test('the console line shows time, id, battery and load volts, mA and the state', () => {
  const line = formatFrameLine(frameRecord('/dev/ttyUSB0', point), { colour: false, showPort: false });
  const d = new Date(1_700_000_000_123);
  const hms = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  assert.equal(line, `${hms}  0007  2.512 V  2.509 V     -35 mA  CHARGING`);
  const two = formatFrameLine(frameRecord('/dev/ttyUSB1', { ...point, frame: { ...frame, measurement: 'nai-bms' } }), { colour: false, showPort: true });
  assert.match(two, /\/dev\/ttyUSB1 {2}0007 Na {2}/);
});

test('colour: by state on a TTY, off with NO_COLOR or off a TTY, forced by FORCE_COLOR', () => {
  const coloured = formatFrameLine(frameRecord('p', { ...point, frame: { ...frame, state: 'BMS_STATE_OCLO' } }), { colour: true, showPort: false });
  const ESC = '\u001b';
  // OCLO: magenta (35) and bold (1), each closed by its own reset (39, 22).
  assert.ok(coloured.endsWith(`${ESC}[1m${ESC}[35mOCLO${ESC}[39m${ESC}[22m`) || coloured.endsWith(`${ESC}[35m${ESC}[1mOCLO${ESC}[22m${ESC}[39m`), JSON.stringify(coloured));
  const charging = formatFrameLine(frameRecord('p', point), { colour: true, showPort: false });
  assert.ok(charging.endsWith(`${ESC}[32mCHARGING${ESC}[39m`), JSON.stringify(charging));
  assert.equal(wantColour({ isTTY: true }, {}), true);
  assert.equal(wantColour({ isTTY: false }, {}), false);
  assert.equal(wantColour({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(wantColour({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  assert.equal(wantColour({ isTTY: true }, { FORCE_COLOR: '0' }), false);
});

test('the summary names every count', () => {
  const s: LogSummary = {
    target: 'InfluxDB 1.x at http://h:8086, database bms', frames: 3, written: 5, garbage: 2,
    garbageByReason: { 'bad-frame': 1, oversized: 1 }, debug: 1, reconnects: 1, resumed: 2,
    spooled: 4, deadLettered: 0, leftInSpool: 1, seconds: 9,
  };
  assert.deepEqual(formatSummary(s), [
    'summary: 3 frames, 5 points written to InfluxDB 1.x at http://h:8086, database bms',
    '  2 garbage lines (bad-frame 1, oversized 1), 1 debug line, 1 reconnect',
    '  4 points spooled while the target was unavailable, 0 dead-lettered, 1 left in the spool, 2 resumed from an earlier run',
    '  that point is sent when ltobms log runs again with the same target',
  ]);
});
