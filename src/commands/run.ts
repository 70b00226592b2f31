/**
 * `ltobms run`: from source to live data in one command — build (incremental), flash only the
 * pages that changed, write the EEPROM configuration if options ask for it, then tail the board's
 * log frames from its UART. `--sim` does the same on a virtual board. Thin: options → typed input
 * → runWorkflow (src/workflows/run.ts) with the board injected → render.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ActionContext } from '../cli/run.js';
import { parseNumberOption } from '../cli/options.js';
import { LogView } from '../cli/log-view.js';
import { ProgressView, seconds } from '../cli/progress.js';
import { Spinner } from '../cli/spinner.js';
import { ExitCode, UsageError } from '../errors.js';
import { checkVersion, type FirmwareBuild } from '../firmware/firmware.js';
import { defaultFirmwareVersion } from '../firmware/version.js';
import { parseChemistry } from '../part/chemistry.js';
import { CONFIG_FIELDS, encodeConfig, type DecodedImage } from '../eeprom/image.js';
import { buildEepromRequest, optionAttribute, type EepromOptions } from '../eeprom/request.js';
import { resolveConfig } from '../logging/config.js';
import { redact, redactError } from '../logging/redact.js';
import { formatSummary, wantColour } from '../logging/render.js';
import { tailLostError, type LogSummary } from '../logging/session.js';
import { portBoard, virtualBoard, type BoardOpener } from '../workflows/board.js';
import { runWorkflow, type RunEvent } from '../workflows/run.js';
import { siblingUartPort } from '../workflows/uart-port.js';
import { applyBoardErrorsOption } from './board-errors.js';
import { boardSerial, type UpdateResult } from '../workflows/update.js';
import { defaultScenario, loadScenarioFile } from '../sim/scenario/index.js';
import { parseSpeed } from '../sim/runtime/pacer.js';
import { parsePortOptions } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { listPorts } from '../serial/ports.js';

interface RunCliOptions extends PortCliOptions, Omit<EepromOptions, 'file' | 'format' | 'json' | 'force' | 'chemistry'> {
  chemistry: string;
  fwVersion?: string;
  debug?: boolean;
  out: string;
  uartPort?: string;
  uartBaud: string;
  sim?: boolean;
  simState: string;
  scenario?: string;
  speed?: string;
  boardErrors?: string;
  log: boolean;
  reconnect?: boolean;
  verify: boolean;
  force?: boolean;
  json?: boolean;
}

/** The action of `ltobms run` (declared in src/cli/commands/run.ts). */
export async function execute(opts: RunCliOptions, cmd: Command, ctx: ActionContext): Promise<void> {
  // The virtual board brings its own ports: a port or UART from the project settings (not typed
  // on this command line) does not apply to --sim.
  const typed = (key: string) => cmd.getOptionValueSource(key) === 'cli';
  const forSim = opts.sim === true ? { port: typed('port') ? opts.port : undefined, uartPort: typed('uartPort') ? opts.uartPort : undefined } : {};
  try {
    await run({ ...opts, ...forSim }, ctx.signal);
  } catch (err) {
    // As `ltobms log`: the log target's URL or a server's answer may carry a credential.
    throw redactError(err);
  }
}

/** EEPROM options given on the command line, as buildEepromRequest wants them. */
function eepromOptions(opts: RunCliOptions): EepromOptions | undefined {
  const out: Record<string, string> = {};
  for (const f of CONFIG_FIELDS) {
    const key = optionAttribute(f.option);
    const value = (opts as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string') out[key] = value;
  }
  return Object.keys(out).length ? (out as EepromOptions) : undefined;
}

async function run(opts: RunCliOptions, signal: AbortSignal): Promise<void> {
  // Everything is checked before anything is built, opened or written.
  const chemistry = parseChemistry(opts.chemistry);
  const sim = opts.sim === true;
  if (sim && opts.port) throw new UsageError('--sim and --port both name the board', { code: 'USAGE', hint: 'drop --port to use the virtual board, or --sim to use the real one' });
  if (sim && opts.uartPort) throw new UsageError('--uart-port does not apply to --sim', { code: 'USAGE', hint: 'the virtual board brings its own UART' });
  if (!sim && (opts.scenario !== undefined || opts.speed !== undefined)) throw new UsageError('--scenario and --speed are for the virtual board', { code: 'USAGE', hint: 'add --sim' });
  const speed = parseSpeed(opts.speed ?? '1');
  if (speed === undefined) throw new UsageError(`--speed ${opts.speed}: expected 1 (real time), a factor such as 60, or max`, { code: 'USAGE', hint: 'e.g. --speed 60: a frame every second' });
  if (!sim && opts.boardErrors !== undefined) throw new UsageError('--board-errors is for the virtual board', { code: 'USAGE', hint: 'add --sim' });
  const loaded = sim ? (opts.scenario !== undefined ? await loadScenarioFile(opts.scenario, { chemistry: chemistry! }) : defaultScenario(chemistry!)) : undefined;
  const scenario = loaded && applyBoardErrorsOption(loaded, opts.boardErrors, 'run');
  const port = parsePortOptions(sim ? { ...opts, port: 'sim' } : opts);
  const uartBaud = parseNumberOption(opts.uartBaud, '--uart-baud', { min: 300, max: 4_000_000, hint: 'the firmware sends at 9600' });
  const eepromOpts = eepromOptions(opts);
  if (eepromOpts) buildEepromRequest({ ...eepromOpts, chemistry: chemistry!, sn: eepromOpts.sn ?? '1' }); // validates
  const version = checkVersion(opts.fwVersion ?? (await defaultFirmwareVersion()));
  const json = opts.json === true;

  let board: BoardOpener;
  if (sim) board = virtualBoard({ statePath: resolve(opts.simState), baud: port.baud, scenario: scenario!, speed });
  else board = portBoard(port.port, opts.log ? (opts.uartPort ?? (await siblingUartPort(port.port, await listPorts({ all: true })))) : undefined);
  const logConfig = opts.log ? resolveConfig({ flags: {}, env: process.env, target: 'auto' }) : undefined;

  const eeprom = eepromOpts
    ? (current: DecodedImage | undefined) => {
        const sn = eepromOpts.sn ?? String(boardSerial(current));
        return encodeConfig(buildEepromRequest({ ...eepromOpts, chemistry: chemistry!, sn }).config);
      }
    : undefined;
  const view = new RunView(json);
  let lost: Error | undefined;
  try {
    const result = await runWorkflow({
      build: { chemistry: chemistry!, version, debug: opts.debug === true, outDir: resolve(opts.out) },
      board,
      updi: { baud: port.baud, timeoutMs: port.timeoutMs, part: port.part },
      eeprom,
      verify: opts.verify,
      force: opts.force === true,
      log: logConfig && { config: logConfig, baudRate: uartBaud, onLost: opts.reconnect ? 'reconnect' : 'end' },
      signal,
      onEvent: view.event,
      onProgress: view.progress.onProgress,
    });
    if (!result.log) return;
    view.logSummary(result.log);
    lost = result.log.lost && tailLostError(result.log, result.log.lost, 'ltobms run');
    // Stopping the tail is how `run` ends: a success, with everything stored or spooled.
    if (!lost) process.exitCode = ExitCode.ok;
  } catch (err) {
    view.failed();
    throw err;
  }
  // After the summary: the UART went away, and every frame read is stored.
  if (lost) throw lost;
}

/** Draws the run's events: the build spinner and line, the programming progress and result, then the log. */
class RunView {
  readonly progress: ProgressView;
  private readonly interactive: boolean;
  private buildSpinner: Spinner | undefined;
  private logView: LogView | undefined;

  constructor(private readonly json: boolean) {
    this.interactive = !json && Spinner.wanted();
    this.progress = new ProgressView({ interactive: this.interactive });
  }

  readonly event = (e: RunEvent): void => {
    switch (e.type) {
      case 'build-started':
        if (this.interactive) this.buildSpinner = new Spinner().start(`building ${e.chemistry} ${e.version}`);
        break;
      case 'build-diagnostic':
        if (this.buildSpinner) this.buildSpinner.print(e.diagnostic.text);
        else say(e.diagnostic.text);
        break;
      case 'built':
        this.buildSpinner?.stop();
        this.buildSpinner = undefined;
        if (!this.json) say(buildLine(e.build));
        break;
      case 'board-ready':
        if (!this.json && e.board.kind === 'virtual') {
          const b = e.board;
          say(`virtual board: UPDI ${b.updi}, UART ${b.uart} (memories in ${b.statePath}, ${b.scenario}, speed ${b.speed})`);
        }
        break;
      case 'connecting':
        this.progress.spin(`connecting on ${e.port}`);
        break;
      case 'update':
        if (e.event.type === 'phase') this.progress.spin(e.event.phase.replace('-', ' ') + '…');
        break;
      case 'programmed': {
        this.progress.stop();
        const report = { type: 'programmed', build: buildJson(e.build), ...toJson(e.result) };
        // One JSON object per line throughout, so `--json` output is a JSON-lines stream.
        if (this.json) process.stdout.write(JSON.stringify(report) + '\n');
        else for (const line of resultLines(e.result)) say(line);
        break;
      }
      case 'tailing':
        this.logView = new LogView({ json: this.json, quiet: false, showPort: false, colour: wantColour(process.stdout), interactive: this.interactive });
        this.logView.line(`tailing ${e.uart} at ${e.baudRate} baud into ${e.target}; Ctrl-C stops (the board keeps running)`);
        break;
      case 'log':
        this.logView?.event(e.event);
        break;
    }
  };

  logSummary(summary: LogSummary): void {
    this.logView?.stop();
    for (const line of formatSummary(summary)) say(redact(line));
    if (this.json) process.stdout.write(redact(JSON.stringify({ type: 'summary', ...summary })) + '\n');
  }

  failed(): void {
    this.buildSpinner?.fail('build failed');
    this.progress.stop();
    this.logView?.stop();
  }
}

function say(line: string): void {
  process.stderr.write(line + '\n');
}

function buildLine(build: FirmwareBuild): string {
  const what = build.compiled || build.linked ? `compiled ${build.compiled} file${build.compiled === 1 ? '' : 's'}${build.linked ? ', linked' : ''}` : 'up to date';
  return `build ${build.chemistry} ${build.version}${build.debug ? ' (debug)' : ''}: ${what} (${build.memory.flash} B flash) → ${build.artifacts.hex}`;
}

function buildJson(build: FirmwareBuild) {
  return { chemistry: build.chemistry, version: build.version, debug: build.debug, hex: build.artifacts.hex, compiled: build.compiled, linked: build.linked, flashBytes: build.memory.flash };
}

function toJson(r: UpdateResult) {
  return {
    device: r.device,
    flash: r.flash,
    eeprom: r.eeprom && {
      written: r.eeprom.written,
      serialNumber: r.eeprom.after.config.serialNumber,
      hex: Buffer.from(r.eeprom.after.bytes).toString('hex'),
      before: r.eeprom.before ? Buffer.from(r.eeprom.before.bytes).toString('hex') : null,
    },
    verified: r.verified,
    retries: r.retries,
    seconds: Number((r.ms / 1000).toFixed(3)),
  };
}

function resultLines(r: UpdateResult): string[] {
  const f = r.flash;
  const lines = [
    f.changedPages === 0
      ? `flash: up to date (${f.compared} B compared on the ${r.device}), nothing written`
      : `flash: ${f.changedPages} of ${f.pages} pages changed: wrote ${f.written} B${r.verified ? ', read back and verified' : ''}`,
  ];
  if (r.eeprom) {
    const c = r.eeprom.after.config;
    lines.push(r.eeprom.written ? `eeprom: wrote sn ${c.serialNumber}, temp offset ${c.tempOffset} K${r.eeprom.after.chemistry ? `, ${r.eeprom.after.chemistry} limits` : ', custom limits'}` : `eeprom: up to date (sn ${c.serialNumber})`);
  }
  lines.push(`programmed in ${seconds(r.ms)}${r.retries ? `, ${r.retries} retr${r.retries === 1 ? 'y' : 'ies'}` : ''}; the board runs`);
  return lines;
}
