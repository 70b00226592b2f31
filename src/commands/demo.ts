/**
 * `ltobms demo`: the newcomer's first command — the whole product on the virtual board in seconds.
 * Thin: options → runDemo (src/workflows/demo.ts) → progress lines, a compact frame table, the file.
 */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { printJson, type ActionContext } from '../cli/run.js';
import { Spinner } from '../cli/spinner.js';
import { parseChemistry } from '../part/chemistry.js';
import { UsageError } from '../errors.js';
import type { Frame } from '../logging/frame.js';
import { loadScenarioFile } from '../sim/scenario/index.js';
import { demoScenario, runDemo, type DemoResult, type DemoStep } from '../workflows/demo.js';
import { energyReportLines } from '../cli/energy-view.js';
import { formatSimTime } from '../sim/runtime/trace.js';
import { sparkline } from '../report/render.js';
import { parseTimeOption } from '../report/time.js';
import { displayPath } from '../firmware/report.js';
import { applyBoardErrorsOption } from './board-errors.js';

interface DemoCliOptions {
  chemistry: string;
  scenario?: string;
  outDir?: string;
  buildDir: string;
  all?: boolean;
  start?: string;
  days?: string;
  boardErrors?: string;
  json?: boolean;
}

/** Rows worth showing: the first and last frame, every state change, and one per `every` seconds. */
export function pickRows(frames: Frame[], all: boolean, every = 900): Frame[] {
  if (all) return frames;
  return frames.filter((f, i) => i === 0 || i === frames.length - 1 || f.state !== frames[i - 1]!.state || f.uptime % every === 0);
}

/** `--days N`: a positive number of simulated days (fractions allowed), at most a year. */
function parseDays(text: string): number {
  const days = Number(text);
  if (text.trim() === '' || !Number.isFinite(days) || days <= 0 || days > 366) {
    throw new UsageError(`--days ${text}: expected a number of days from 0 to 366`, { code: 'USAGE', hint: 'for example --days 30' });
  }
  return days;
}

function table(frames: Frame[]): string[] {
  const head = ['uptime', 'state', 'V(B) mV', 'V(L) mV', 'I mA', 'charge mAh', 'temp K', 'id'];
  const rows = frames.map((f) => [formatSimTime(f.uptime).slice(0, -4), f.state.replace('BMS_STATE_', ''), String(f.v_batt), String(f.v_load), String(f.current), String(f.charge), String(f.temp), f.id]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 1 || i === 7 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

function describeStep(s: DemoStep): string {
  switch (s.step) {
    case 'build':
      if (s.done && s.prebuilt) return `avr-gcc not found: using the prebuilt release firmware ${s.prebuilt} (${displayPath(s.hex)}, ${s.flashBytes} B flash)`;
      return s.done ? `firmware ${relative(process.cwd(), s.hex)} (${s.flashBytes} B flash, ${s.compiled ? `${s.compiled} file(s) compiled` : 'up to date'})` : 'building the firmware';
    case 'board':
      return `virtual board up: UPDI on ${s.updi}, UART on ${s.uart}`;
    case 'program':
      return s.done ? `programmed over UPDI: ${s.fuses} fuse bytes, ${s.flash} B flash, ${s.eeprom} B EEPROM (serial 7), ${s.verified} B verified` : 'programming fuses, flash and EEPROM over UPDI';
    case 'run':
      return s.done
        ? `ran ${formatSimTime(s.simulatedSeconds)} simulated in ${s.wallSeconds.toFixed(1)} s: ${s.frames} frames logged`
        : `running "${s.scenario}" at max speed`;
  }
}

/** The action of `ltobms demo` (declared in src/cli/commands/demo.ts). */
export async function execute(opts: DemoCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const chemistry = parseChemistry(opts.chemistry);
  const days = opts.days !== undefined ? parseDays(opts.days) : undefined;
  let scenario = opts.scenario !== undefined ? await loadScenarioFile(opts.scenario, { chemistry }) : undefined;
  if (days !== undefined) scenario = { ...(scenario ?? demoScenario(chemistry)), durationSeconds: days * 86_400 };
  if (opts.boardErrors !== undefined) scenario = applyBoardErrorsOption(scenario ?? demoScenario(chemistry), opts.boardErrors, 'demo');
  if (scenario && scenario.durationSeconds === undefined) {
    throw new UsageError(`${opts.scenario} has no duration; the demo needs a scenario that ends`, { code: 'USAGE', hint: 'add e.g. `duration: 2h` to the scenario' });
  }
  const startMs = opts.start !== undefined ? parseTimeOption(opts.start, '--start') : undefined;
  const json = opts.json === true;
  const spinner = json ? undefined : Spinner.ifWanted();
  const onStep = (s: DemoStep) => {
    if (json) return;
    const text = describeStep(s);
    if (!s.done) {
      if (spinner) spinner.start(text);
      return;
    }
    if (spinner?.isSpinning) spinner.succeed(text);
    else process.stderr.write(`✔ ${text}\n`);
  };
  let result: DemoResult;
  try {
    result = await runDemo({ chemistry, scenario, startMs, outDir: opts.outDir, buildDir: opts.buildDir, signal: ctx.signal, onStep });
  } catch (err) {
    spinner?.fail();
    throw err;
  }
  if (json) {
    printJson(result);
    return;
  }
  // A long run shows one row an hour or a day besides the state changes.
  const every = result.simulatedSeconds > 2 * 86_400 ? 86_400 : result.simulatedSeconds > 6 * 3600 ? 3600 : 900;
  const rows = pickRows(result.frames, opts.all === true, every);
  const period = every === 900 ? '15 min' : every === 3600 ? 'hour' : 'day';
  process.stdout.write(`\n${result.chemistry} board, serial ${result.serial}: ${result.frames.length} frames` + (rows.length < result.frames.length ? ` (${rows.length} shown: state changes and every ${period}; --all for every one)` : '') + '\n');
  for (const line of table(rows)) process.stdout.write(`  ${line}\n`);
  const files = result.files.map((f) => relative(process.cwd(), f) || f);
  const vBatt = result.frames.map((f) => f.v_batt);
  if (vBatt.length) process.stdout.write(`\n  v_batt  ${sparkline(vBatt)}  ${Math.min(...vBatt)}–${Math.max(...vBatt)} mV\n`);
  process.stdout.write(`\nframes written to ${files.join(', ') || result.outDir} (line protocol; \`ltobms log --replay ${files[0] ?? '<file>'}\` loads them into InfluxDB)\n`);
  if (result.report) process.stdout.write(`charts: ${relative(process.cwd(), result.report)} (open it in a browser; \`ltobms report\` makes one from any .lp file)\n`);
  if (days !== undefined) process.stdout.write(`\n${energyReportLines(result.energy).join('\n')}\n`);
}
