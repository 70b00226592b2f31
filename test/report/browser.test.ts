/**
 * `ltobms report` on the demo's own file, drawn by a real browser: the demo runs (virtual board, real
 * UPDI programming, the log reader writing the .lp file), `ltobms report` turns the file into HTML,
 * and headless Chromium loads it. The page script marks what it drew (data-points per series, plot
 * and band rectangles); the screenshot's pixels show that the plots are not blank, that the UVLO
 * band is tinted and that its name is written on it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { chromiumPath, dumpDom, screenshot, type Picture } from './chromium.js';

const skip = !chromiumPath() ? 'needs chromium' : false;
const VIEW = { width: 1000, height: 1400 };
const UVLO_RGB = [0xf0, 0x8c, 0x00]; // .state-UVLO in assets/report.css

interface DrawnChart {
  panel: string;
  series: string[];
  points: number[];
  plot: { left: number; top: number; width: number; height: number };
  bands: { state: string; left: number; right: number; rgb: number[] }[];
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** The chart elements of a dumped DOM with the data-* the page script set after drawing. */
function drawnCharts(dom: string): DrawnChart[] {
  return [...dom.matchAll(/<div class="chart"([^>]*)>/g)].map((m) => {
    const attr = (name: string) => unescape(new RegExp(`data-${name}="([^"]*)"`).exec(m[1]!)?.[1] ?? '');
    return {
      panel: attr('panel'),
      series: attr('series').split(','),
      points: attr('points').split(',').map(Number),
      plot: JSON.parse(attr('plot') || 'null'),
      bands: JSON.parse(attr('bands') || '[]'),
    };
  });
}

const near = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tol);
const saturated = ([r, g, b]: number[]) => Math.max(r!, g!, b!) - Math.min(r!, g!, b!) > 60;

/** Pixels of a series colour (saturated) in a plot, outside bands and the state strip at the bottom. */
function inkPixels(pic: Picture, c: DrawnChart): number {
  let n = 0;
  for (let y = Math.ceil(c.plot.top); y < c.plot.top + c.plot.height - 8; y++) {
    for (let x = Math.ceil(c.plot.left); x < c.plot.left + c.plot.width; x++) {
      if (c.bands.some((b) => x >= b.left - 1 && x <= b.right + 1)) continue;
      if (saturated(pic.pixel(x, y))) n++;
    }
  }
  return n;
}

describe('ltobms report on the demo\'s file, in headless Chromium', { skip, timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-report-'));
  const logDir = join(dir, 'log');
  let lpFile = '';
  let html = '';
  let demoReport = '';
  before(async () => {
    const demo = await runCli(['demo', '--build-dir', join(dir, 'build'), '--out-dir', logDir, '--json'], { cwd: dir, timeoutMs: 150_000 });
    assert.equal(demo.code, 0, demo.stderr);
    const result = JSON.parse(demo.stdout) as { files: string[]; report: string };
    demoReport = result.report;
    assert.ok(result.files.length >= 1);
    // `ltobms report` takes the file, or the folder when the run crossed midnight UTC.
    lpFile = result.files.length === 1 ? result.files[0]! : logDir;
    html = join(dir, 'report.html');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the demo\'s frames carry simulated time: 3 simulated hours span ≥ 10,000 s, ending by now', () => {
    const stamps = logLines(logDir).map((l) => BigInt(l.slice(l.lastIndexOf(' ') + 1)));
    assert.equal(stamps.length, 180);
    const span = Number(stamps.at(-1)! - stamps[0]!) / 1e9;
    assert.ok(span >= 10_000, `first to last frame: ${span} s`);
    assert.ok(Math.abs(span - 179 * 60) < 1, `a frame a simulated minute: ${span} s`);
    assert.ok(stamps.at(-1)! <= BigInt(Date.now()) * 1_000_000n, 'no frame is stamped in the future');
  });

  test('the demo wrote its own report beside its data', () => {
    assert.equal(demoReport, join(logDir, 'demo-report.html'));
    const page = readFileSync(demoReport, 'utf8');
    const data = JSON.parse(/<script id="report-data" type="application\/json">(.*?)<\/script>/s.exec(page)![1]!) as { boards: { t: number[]; episodes: { state: string }[] }[] };
    assert.equal(data.boards.length, 1);
    assert.equal(data.boards[0]!.t.length, 180);
    assert.deepEqual(data.boards[0]!.episodes.map((e) => e.state), ['UVLO']);
  });

  test('ltobms report writes one self-contained page: 1 board, 180 frames, the UVLO episode', async () => {
    const r = await runCli(['report', lpFile, '-o', html, '--json'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { boards: { id: string; frames: number; episodes: { state: string }[]; energyOutMWh: number; energyInMWh: number }[] };
    assert.equal(out.boards.length, 1);
    assert.equal(out.boards[0]!.id, '0007');
    assert.equal(out.boards[0]!.frames, 180);
    assert.deepEqual(out.boards[0]!.episodes.map((e) => e.state), ['UVLO']);
    assert.ok(out.boards[0]!.energyOutMWh > 0 && out.boards[0]!.energyInMWh > 0);
    const page = readFileSync(html, 'utf8');
    // Nothing is fetched: no external script, stylesheet, image or font.
    assert.doesNotMatch(page, /<(script|link|img|iframe)[^>]+(src|href)=/i);
    assert.doesNotMatch(page, /@import|url\(\s*['"]?https?:/i);
  });

  test('Chromium draws every series with 180 points and labels the UVLO episode', async () => {
    const dom = await dumpDom(html, VIEW);
    assert.match(dom, /<body[^>]* data-drawn="4"/);
    const charts = drawnCharts(dom);
    assert.deepEqual(charts.map((c) => c.series.join('+')), ['v_batt+v_load', 'current', 'temp', 'charge']);
    for (const c of charts) {
      assert.deepEqual(c.points, c.series.map(() => 180), `${c.panel}: points drawn per series`);
      assert.deepEqual(c.bands.map((b) => b.state), ['UVLO'], `${c.panel}: the UVLO band`);
      assert.ok(c.bands[0]!.right - c.bands[0]!.left > 20, `${c.panel}: the band is wide enough to see`);
    }
    assert.match(dom, /<li class="episode" data-state="UVLO">.*<b>UVLO<\/b>/);
  });

  test('the screenshot: plots are not blank, the UVLO band is tinted and named on the chart', async () => {
    const [dom, pic] = await Promise.all([dumpDom(html, VIEW), screenshot(html, VIEW)]);
    const charts = drawnCharts(dom);
    assert.equal(pic.width, VIEW.width);
    for (const c of charts.filter((c) => c.plot.top + c.plot.height < pic.height)) {
      const ink = inkPixels(pic, c);
      assert.ok(ink > c.plot.width / 2, `${c.panel}: ${ink} line pixels in the plot`);
      const band = c.bands[0]!;
      let tinted = 0;
      let total = 0;
      for (let y = c.plot.top + 25; y < c.plot.top + c.plot.height - 10; y += 3) {
        for (let x = band.left + 2; x < band.right - 2; x += 3) {
          total++;
          if (near(pic.pixel(x, y), band.rgb, 12)) tinted++;
        }
      }
      assert.ok(tinted / total > 0.5, `${c.panel}: ${tinted}/${total} band pixels carry the UVLO tint`);
    }
    // The state strip along the bottom ends in the demo's last state (discharging at 150 mA).
    const DISCHARGING_RGB = [0x2f, 0x6f, 0xd6].map((c) => Math.round(0.9 * c + 0.1 * 255));
    for (const c of charts.filter((c) => c.plot.top + c.plot.height < pic.height)) {
      const y = c.plot.top + c.plot.height - 2;
      assert.ok(near(pic.pixel(c.plot.left + c.plot.width - 4, y), DISCHARGING_RGB, 30), `${c.panel}: the state strip reaches the last frame`);
    }
    // The voltage chart writes "UVLO" in the lockout colour at the band's top left.
    const voltage = charts[0]!;
    let label = 0;
    for (let y = voltage.plot.top; y < voltage.plot.top + 22; y++) {
      for (let x = voltage.bands[0]!.left; x < voltage.bands[0]!.left + 50; x++) if (near(pic.pixel(x, y), UVLO_RGB, 40)) label++;
    }
    assert.ok(label > 15, `${label} pixels of the UVLO label`);
  });
});

/** Every frame line the demo wrote (one day file, or two across midnight UTC), in time order. */
function logLines(logDir: string): string[] {
  return readdirSync(logDir)
    .filter((f) => f.endsWith('.lp'))
    .sort()
    .flatMap((f) => readFileSync(join(logDir, f), 'utf8').trim().split('\n'));
}
