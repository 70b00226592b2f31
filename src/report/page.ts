/**
 * The report as one self-contained HTML file: no request leaves the page. uPlot (JS + CSS) and our
 * drawing script (assets/report.js) are inlined, the frames go in as JSON, and each board's summary
 * (energy, time per state, min/max cell voltage, lockout episodes) is rendered here as HTML so that
 * the numbers are computed and tested in TypeScript; the page script only draws and switches boards.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BMS_STATES } from '../logging/frame.js';
import type { BoardPoints } from './data.js';
import { stateName, summarise, type BoardSummary, type Episode } from './summary.js';

/** src/report/assets/ of this package (dist/src/report → repo root). */
const ASSETS_DIR = fileURLToPath(new URL('../../../src/report/assets/', import.meta.url));

/** One board as the page script reads it: time in s, values in display units, states by index. */
export interface BoardChartData {
  series: string;
  label: string;
  /** Seconds since the epoch (ms resolution). */
  t: number[];
  v_batt: number[];
  v_load: number[];
  current: number[];
  /** °C. */
  temp: number[];
  charge: number[];
  /** Index into {@link ReportPageData.states}. */
  state: number[];
  episodes: { state: string; from: number; to: number }[];
}

export interface ReportPageData {
  title: string;
  generated: string;
  states: string[];
  boards: BoardChartData[];
}

export interface ReportPage {
  html: string;
  summaries: BoardSummary[];
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON that can sit inside a <script> element (no `</script>`, no `<!--`). */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** Script text that cannot end its <script> element early. */
const inlineScript = (js: string): string => js.replace(/<\/script/gi, '<\\/script');

function boardLabel(s: BoardSummary): string {
  return `${s.id} (${s.chemistry})`;
}

export function chartData(board: BoardPoints, summary: BoardSummary): BoardChartData {
  const round = (x: number, digits: number) => Number(x.toFixed(digits));
  const pts = board.points;
  return {
    series: board.series,
    label: boardLabel(summary),
    t: pts.map((p) => Number(p.timeNs / 1_000_000n) / 1000),
    v_batt: pts.map((p) => p.frame.v_batt / 1000),
    v_load: pts.map((p) => p.frame.v_load / 1000),
    current: pts.map((p) => p.frame.current),
    temp: pts.map((p) => round(p.frame.temp - 273.15, 2)),
    charge: pts.map((p) => p.frame.charge),
    state: pts.map((p) => BMS_STATES.indexOf(p.frame.state)),
    episodes: summary.episodes.map((e) => ({ state: e.state, from: e.fromMs / 1000, to: e.toMs / 1000 })),
  };
}

/** `2 h 05 min`, `14 min`, `40 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A time the page script shows in the reader's own time zone (UTC until it runs). */
const timeTag = (ms: number): string => {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
};

function episodeItem(e: Episode): string {
  const length = formatDuration((e.toMs - e.fromMs) / 1000);
  return (
    `<li class="episode" data-state="${e.state}"><span class="swatch state-${e.state}"></span><b>${e.state}</b> ` +
    `${timeTag(e.fromMs)} – ${e.open ? 'end of data' : timeTag(e.toMs)} (${e.open ? 'at least ' : ''}${length})</li>`
  );
}

function summarySection(s: BoardSummary, index: number): string {
  const total = Object.values(s.stateSeconds).reduce((a, b) => a + b, 0) || 1;
  const states = Object.entries(s.stateSeconds)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([name, sec]) =>
        `<tr><td><span class="swatch state-${name}"></span>${name}</td><td>${formatDuration(sec)}</td>` +
        `<td class="bar"><span style="width:${((100 * sec) / total).toFixed(1)}%" class="state-${name}"></span></td></tr>`,
    )
    .join('');
  const cards: [string, string][] = [
    ['frames', `${s.frames}`],
    ['period', `${timeTag(s.fromMs)} – ${timeTag(s.toMs)} (${formatDuration((s.toMs - s.fromMs) / 1000)})`],
    ['energy out (discharged)', `${s.energyOutMWh} mWh`],
    ['energy in (charged)', `${s.energyInMWh} mWh`],
    ['lowest cell voltage', `${(s.vBattMin.mV / 1000).toFixed(3)} V at ${timeTag(s.vBattMin.atMs)}`],
    ['highest cell voltage', `${(s.vBattMax.mV / 1000).toFixed(3)} V at ${timeTag(s.vBattMax.atMs)}`],
  ];
  const episodes = s.episodes.length
    ? `<ul class="episodes">${s.episodes.map(episodeItem).join('')}</ul>`
    : '<p class="episodes none">No UVLO, OVLO or OCLO lockout in this period.</p>';
  return `<section class="summary" data-series="${escapeHtml(s.series)}"${index === 0 ? '' : ' hidden'}>
<h2>Board ${escapeHtml(boardLabel(s))}</h2>
<dl class="cards">${cards.map(([k, v]) => `<div><dt>${k}</dt><dd>${v}</dd></div>`).join('')}</dl>
<h3>Lockouts</h3>
${episodes}
<h3>Time in each state</h3>
<table class="states"><tbody>${states}</tbody></table>${s.gapSeconds > 0 ? `<p class="gap">${formatDuration(s.gapSeconds)} without frames (not counted).</p>` : ''}
</section>`;
}

function readAsset(path: string): string {
  return readFileSync(path, 'utf8');
}

function uplotFiles(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  return {
    js: readAsset(require.resolve('uplot/dist/uPlot.iife.min.js')),
    css: readAsset(require.resolve('uplot/dist/uPlot.min.css')),
  };
}

/** Builds the page for the boards (at least one, each with at least one point). */
export function renderReportPage(boards: BoardPoints[], options: { title: string; generatedMs?: number }): ReportPage {
  const summaries = boards.map(summarise);
  const data: ReportPageData = {
    title: options.title,
    generated: new Date(options.generatedMs ?? Date.now()).toISOString(),
    states: BMS_STATES.map(stateName),
    boards: boards.map((b, i) => chartData(b, summaries[i]!)),
  };
  const uplot = uplotFiles();
  const options_ = summaries.map((s, i) => `<option value="${i}">${escapeHtml(boardLabel(s))}</option>`).join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ltobms report">
<title>${escapeHtml(options.title)}</title>
<style>${uplot.css}</style>
<style>${readAsset(`${ASSETS_DIR}report.css`)}</style>
</head>
<body>
<header>
<h1>${escapeHtml(options.title)}</h1>
<label class="board-select">Board <select id="board"${summaries.length < 2 ? ' disabled' : ''}>${options_}</select></label>
</header>
<main>
<div id="legend" class="legend">${['CHARGING', 'DISCHARGING', 'IDLE', 'UVLO', 'OVLO', 'OCLO', 'ERR']
    .map((n) => `<span><span class="swatch state-${n}"></span>${n}</span>`)
    .join('')}</div>
<div id="charts"></div>
${summaries.map(summarySection).join('\n')}
</main>
<footer>Made by <code>ltobms report</code> at ${timeTag(Date.parse(data.generated))}. Times are shown in this device's time zone.</footer>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
<script>${inlineScript(uplot.js)}</script>
<script>${inlineScript(readAsset(`${ASSETS_DIR}report.js`))}</script>
</body>
</html>
`;
  return { html, summaries };
}
