/**
 * The report's numbers, computed from frames we write here: grouping and filtering per board, the
 * energy counters across a reset, time per state with a gap, the lockout episodes, the sparkline,
 * the time options, and the page data (what the browser test then sees drawn).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BMS_STATES, formatPoint, type BmsState, type Frame, type Point } from '../../src/logging/frame.js';
import { groupPoints, readPoints } from '../../src/report/data.js';
import { chartData, formatDuration, renderReportPage } from '../../src/report/page.js';
import { sparkline } from '../../src/report/render.js';
import { counterRise, summarise } from '../../src/report/summary.js';
import { parseTimeOption } from '../../src/report/time.js';
import { tempDir } from '../logging/fixtures.js';

const T0 = 1_800_000_000_000_000_000n; // ns
const MIN = 60_000_000_000n;

function frame(over: Partial<Frame> = {}): Frame {
  return { measurement: 'lto-bms', id: '0007', uptime: 0, v_batt: 2300, v_load: 2290, current: 100, E_dis: 0, E_chg: 0, charge: 0, temp: 298, gain: 16, state: 'BMS_STATE_DISCHARGING', ...over };
}
const at = (minute: number, over: Partial<Frame> = {}): Point => ({ frame: frame({ uptime: minute * 60, ...over }), timeNs: T0 + BigInt(minute) * MIN });
const state = (s: string) => `BMS_STATE_${s}` as BmsState;

test('energy counters: the sum of their rises, a reset (drop to a small value) counted from 0', () => {
  assert.equal(counterRise([0, 5, 9, 9, 14]), 14);
  assert.equal(counterRise([100, 110, 3, 8]), 10 + 3 + 5);
  assert.equal(counterRise([42]), 0);
});

test('summary: time per state, lockout episodes with start and end, min/max cell voltage, gaps', () => {
  const points = [
    at(0, { v_batt: 2100, E_dis: 0 }),
    at(1, { v_batt: 1800, E_dis: 4, state: state('UVLO') }),
    at(2, { v_batt: 1790, E_dis: 4, state: state('UVLO') }),
    at(3, { v_batt: 1900, E_chg: 2, state: state('CHARGING') }),
    at(4, { v_batt: 2600, E_chg: 9, state: state('CHARGING') }),
    // the logger was off for an hour
    at(64, { v_batt: 2850, E_chg: 11, state: state('OVLO') }),
    at(65, { v_batt: 2840, E_chg: 11, state: state('OVLO') }),
  ];
  const s = summarise({ series: 'lto-bms,id=0007', measurement: 'lto-bms', id: '0007', points });
  assert.equal(s.frames, 7);
  assert.equal(s.chemistry, 'LTO');
  assert.deepEqual(s.stateSeconds, { DISCHARGING: 60, UVLO: 120, CHARGING: 60, OVLO: 60 });
  assert.equal(s.gapSeconds, 3600);
  assert.equal(s.energyOutMWh, 4);
  assert.equal(s.energyInMWh, 11);
  assert.deepEqual(s.vBattMin, { mV: 1790, atMs: Number((T0 + 2n * MIN) / 1_000_000n) });
  assert.deepEqual(s.vBattMax, { mV: 2850, atMs: Number((T0 + 64n * MIN) / 1_000_000n) });
  const ms = (minute: number) => Number((T0 + BigInt(minute) * MIN) / 1_000_000n);
  assert.deepEqual(s.episodes, [
    { state: 'UVLO', fromMs: ms(1), toMs: ms(3), open: false },
    { state: 'OVLO', fromMs: ms(64), toMs: ms(65), open: true },
  ]);
});

test('grouping: per board in time order, filtered by id and time, a re-sent point kept once', () => {
  const a = at(2, { id: '000A' });
  const points = [at(3), at(1), a, { ...a }, at(5, { id: '000B', measurement: 'nai-bms' })];
  const boards = groupPoints(points);
  assert.deepEqual(boards.map((b) => [b.series, b.points.length]), [['lto-bms,id=0007', 2], ['lto-bms,id=000A', 1], ['nai-bms,id=000B', 1]]);
  assert.deepEqual(boards[0]!.points.map((p) => p.frame.uptime), [60, 180]);
  assert.deepEqual(groupPoints(points, { ids: ['000a'] }).map((b) => b.id), ['000A']);
  const fromMs = Number((T0 + 2n * MIN) / 1_000_000n);
  assert.deepEqual(groupPoints(points, { fromMs, toMs: fromMs + 60_000 }).map((b) => [b.id, b.points.length]), [['0007', 1], ['000A', 1]]);
});

test('reading: .lp files or a folder of them; comments and other lines skipped and counted', async (t) => {
  const dir = tempDir('ltobms-report-read-');
  t.after(dir.cleanup);
  const lines = [0, 1, 2].map((m) => formatPoint(at(m).frame, at(m).timeNs));
  writeFileSync(join(dir.path, '2027-01-15.lp'), `# rejected by a server\n${lines[0]}\nnot a frame\n${lines[1]}\n`);
  writeFileSync(join(dir.path, '2027-01-16.lp'), `${lines[2]}\n`);
  writeFileSync(join(dir.path, 'notes.txt'), 'ignored');
  const r = await readPoints([dir.path]);
  assert.equal(r.files.length, 2);
  assert.equal(r.frames, 3);
  assert.equal(r.skipped, 1);
  assert.deepEqual(r.boards[0]!.points.map((p) => p.frame.uptime), [0, 60, 120]);
  await assert.rejects(readPoints([join(dir.path, 'missing.lp')]), /missing\.lp does not exist/);
});

test('page data: seconds, volts, °C and state indices per point; episodes in seconds', () => {
  const points = [at(0), at(1, { state: state('UVLO'), v_batt: 1790, temp: 273 }), at(2)];
  const board = groupPoints(points)[0]!;
  const d = chartData(board, summarise(board));
  assert.deepEqual(d.t, [0, 60, 120].map((s) => 1_800_000_000 + s));
  assert.deepEqual(d.v_batt, [2.3, 1.79, 2.3]);
  assert.deepEqual(d.temp, [24.85, -0.15, 24.85]);
  assert.deepEqual(d.state.map((i) => BMS_STATES[i]), ['BMS_STATE_DISCHARGING', 'BMS_STATE_UVLO', 'BMS_STATE_DISCHARGING']);
  assert.deepEqual(d.episodes, [{ state: 'UVLO', from: 1_800_000_060, to: 1_800_000_120 }]);
});

test('page: a board selector entry and a summary section per board; the data cannot close its script', () => {
  const boards = groupPoints([at(0), at(1, { id: '002A', measurement: 'nai-bms' })]);
  const { html } = renderReportPage(boards, { title: 'Shed </script> <b>', generatedMs: 0 });
  assert.equal([...html.matchAll(/<option value="\d">/g)].length, 2);
  assert.match(html, /<option value="1">002A \(Na-ion\)<\/option>/);
  assert.equal([...html.matchAll(/<section class="summary"/g)].length, 2);
  assert.match(html, /<title>Shed &lt;\/script&gt; &lt;b&gt;<\/title>/);
  const data = /<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(html)![1]!;
  assert.equal(JSON.parse(data).title, 'Shed </script> <b>');
});

test('durations, sparkline and time options', () => {
  assert.equal(formatDuration(40), '40 s');
  assert.equal(formatDuration(14 * 60), '14 min');
  assert.equal(formatDuration(2 * 3600 + 5 * 60), '2 h 05 min');
  assert.equal(sparkline([1, 2, 3, 4, 5, 6, 7, 8]), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([5, 5, 5]), '▁▁▁');
  assert.equal(sparkline([0, 0, 10, 10], 2), '▁█');
  assert.equal(sparkline(Array.from({ length: 180 }, (_, i) => i)).length, 60);
  assert.equal(parseTimeOption('2026-11-21T14:00Z', '--from'), Date.UTC(2026, 10, 21, 14));
  assert.equal(parseTimeOption('2026-11-21', '--from'), Date.UTC(2026, 10, 21));
  assert.equal(parseTimeOption('1800000000', '--to'), 1_800_000_000_000);
  assert.throws(() => parseTimeOption('yesterday', '--from'), /--from yesterday: not a date or time/);
});
