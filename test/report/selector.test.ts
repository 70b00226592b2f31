/**
 * The report page in headless Chromium with two boards: the selector (its choice kept in the
 * address as #board=N) draws the chosen board's charts and shows its summary only; and on a
 * phone-wide screen (390 CSS px) the charts fit the width.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPoint } from '../../src/logging/frame.js';
import { makeReport } from '../../src/report/report.js';
import { tempDir, testFrame } from '../logging/fixtures.js';
import { chromiumPath, dumpDom, screenshot } from './chromium.js';

const skip = chromiumPath() ? false : 'needs chromium';
const T0 = 1_800_000_000_000_000_000n;
const MIN = 60_000_000_000n;

/** data-points of each chart, and the series of the summary section left visible. */
function drawn(dom: string) {
  const points = [...dom.matchAll(/<div class="chart"[^>]* data-points="([^"]*)"/g)].map((m) => m[1]);
  const visible = [...dom.matchAll(/<section class="summary" data-series="([^"]*)"( hidden="")?>/g)].filter((m) => !m[2]).map((m) => m[1]);
  return { points, visible };
}

describe('the board selector and a phone-wide screen, in headless Chromium', { skip, timeout: 120_000 }, () => {
  const dir = tempDir('ltobms-report-boards-');
  const html = join(dir.path, 'r.html');
  before(async () => {
    const lines = [
      ...Array.from({ length: 30 }, (_, i) => formatPoint({ ...testFrame(i, '0007'), state: 'BMS_STATE_DISCHARGING' }, T0 + BigInt(i) * MIN)),
      ...Array.from({ length: 20 }, (_, i) => formatPoint({ ...testFrame(i, '002A', 'nai-bms'), state: 'BMS_STATE_CHARGING' }, T0 + BigInt(i) * MIN + 1n)),
    ];
    writeFileSync(join(dir.path, '2027-01-15.lp'), lines.join('\n') + '\n');
    await makeReport([dir.path], { output: html });
  });
  after(dir.cleanup);

  test('the first board by default; #board=1 draws the second and shows its summary only', async () => {
    const first = drawn(await dumpDom(html, { width: 1000, height: 1400 }));
    assert.deepEqual(first.points, ['30,30', '30', '30', '30']);
    assert.deepEqual(first.visible, ['lto-bms,id=0007']);
    const second = drawn(await dumpDom(html, { width: 1000, height: 1400 }, '#board=1'));
    assert.deepEqual(second.points, ['20,20', '20', '20', '20']);
    assert.deepEqual(second.visible, ['nai-bms,id=002A']);
  });

  test('390 px wide (a phone): the charts fit inside the width, with the page padding to spare', async () => {
    // Headless Chromium's window is at least 500 px wide, so the page goes into a 390 px frame;
    // a chart wider than the page would run into the frame's edge (x 389) and be cut there.
    const frame = join(dir.path, 'phone.html');
    writeFileSync(frame, '<!doctype html><body style="margin:0"><iframe src="r.html" style="border:0;width:390px;height:1400px"></iframe></body>');
    const pic = await screenshot(frame, { width: 700, height: 1400 });
    let rightmost = 0;
    let coloured = 0;
    for (let y = 0; y < pic.height; y++) {
      for (let x = 0; x < 390; x++) {
        const [r, g, b] = pic.pixel(x, y);
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) {
          coloured++;
          rightmost = Math.max(rightmost, x);
        }
      }
    }
    assert.ok(coloured > 1000, `${coloured} coloured pixels (lines, state strip, legend)`);
    assert.ok(rightmost > 300 && rightmost <= 384, `the rightmost coloured pixel is at x ${rightmost}`);
  });
});
