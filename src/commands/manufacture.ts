/**
 * `ltobms manufacture`: the production line. Waits for boards on one or more UPDI ports (one
 * station per fixture, all in this process), programs fuses, flash and the EEPROM with the next
 * serial number, verifies, records every attempt in the shared ledger (a file, or PostgreSQL for
 * stations on several hosts), and waits for the next board. `--report LEDGER` summarises a ledger.
 * Thin: options → typed input → stations (src/workflows/station.ts) → render.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { parseNumberOption } from '../cli/options.js';
import { ProgressView } from '../cli/progress.js';
import { LinePrompt } from '../cli/line-prompt.js';
import { StatusLines } from '../cli/status-lines.js';
import { ExitCode, LtobmsError, UsageError } from '../errors.js';
import { CONFIG_FIELDS, encodeConfig } from '../eeprom/image.js';
import { buildEepromRequest, optionAttribute, type EepromOptions } from '../eeprom/request.js';
import { parsePortOptions, type PortOptions } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { checkFirmwareForBoard, chooseChemistry, fuseHex, loadFirmware, loadFuses } from '../production/firmware.js';
import { MAX_SERIAL } from '../production/ledger.js';
import { readLedgerContents } from '../production/ledger-open.js';
import { entryLine, statusLine, summaryLines } from '../cli/station-view.js';
import { ledgerReport, renderReport } from '../production/report.js';
import { runStations, type Decision, type FailedBoard, type StationEvent, type StationSummary } from '../workflows/station.js';

interface ManufactureCliOptions extends Omit<PortCliOptions, 'port'>, Omit<EepromOptions, 'sn' | 'file' | 'format' | 'json' | 'force'> {
  port?: string[];
  firmware?: string;
  startSn?: string;
  ledger: string;
  fuses?: string;
  renumber?: boolean;
  yes?: boolean;
  count?: string;
  report?: string;
  json?: boolean;
  allowDebug?: boolean;
}

/** The action of `ltobms manufacture` (declared in src/cli/commands/manufacture.ts). */
export async function execute(opts: ManufactureCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  if (opts.report !== undefined) return report(opts.report, opts.json === true);
  await manufacture(opts, ctx.signal);
}

async function report(spec: string, json: boolean): Promise<void> {
  const { location, contents } = await readLedgerContents(spec);
  if (!contents.entries.length && !contents.damaged.length && !contents.reservations.length) {
    throw new UsageError(`${location} holds no ledger entries`, { code: 'LEDGER_EMPTY', hint: 'a ledger gets its first record when the first board has been tried' });
  }
  const r = ledgerReport(location, contents);
  if (json) printJson(r);
  else process.stdout.write(renderReport(r).join('\n') + '\n');
  if (r.duplicates.length) {
    throw new LtobmsError(`${r.duplicates.length} serial number${r.duplicates.length === 1 ? ' is' : 's are'} on more than one chip`, {
      code: 'LEDGER_DUPLICATES',
      hint: 'the boards listed need new numbers: program them again with --renumber',
    });
  }
}

/** Every -P, validated with the shared connection options; the same port twice is refused. */
function parsePorts(opts: ManufactureCliOptions): PortOptions[] {
  const ports = opts.port ?? [];
  if (!ports.length) return [parsePortOptions({ ...opts, port: undefined })];
  const seen = new Set<string>();
  for (const p of ports) {
    if (seen.has(p)) throw new UsageError(`-P ${p} is given twice`, { code: 'USAGE', hint: 'one -P per fixture' });
    seen.add(p);
  }
  return ports.map((port) => parsePortOptions({ ...opts, port }));
}

async function manufacture(opts: ManufactureCliOptions, signal: AbortSignal): Promise<void> {
  // Everything is checked before a port is touched.
  if (opts.firmware === undefined) {
    throw new UsageError('--firmware is required', { code: 'USAGE', hint: 'e.g. --firmware build/main-LTO-v1.0.hex (or --report LEDGER to summarise a ledger)' });
  }
  const ports = parsePorts(opts);
  const startSn = opts.startSn !== undefined ? parseNumberOption(opts.startSn, '--start-sn', { min: 1, max: MAX_SERIAL, hint: 'serial number 0 is what a board without configuration reports; start at 1 or above' }) : undefined;
  const count = opts.count !== undefined ? parseNumberOption(opts.count, '--count', { min: 1, max: 1_000_000, hint: 'e.g. --count 50; leave it out to run until Ctrl-C' }) : undefined;
  const firmware = await loadFirmware(opts.firmware);
  checkFirmwareForBoard(firmware, { allowDebug: opts.allowDebug === true });
  const chemistry = chooseChemistry(opts.chemistry, firmware);
  const fuses = await loadFuses(opts.fuses, firmware.file);
  const request = buildEepromRequest({ ...pickEeprom(opts as unknown as Record<string, unknown>), chemistry, sn: '1' });
  const eepromFor = (sn: number) => encodeConfig({ ...request.config, serialNumber: sn });
  const json = opts.json === true;
  const gang = ports.length > 1;
  const tty = !json && process.stderr.isTTY === true && !process.env.CI;
  const view = new ProgressView({ interactive: tty && !gang });
  const lines = gang ? new StatusLines(ports.map((p) => p.port), process.stderr, tty) : undefined;
  const say = (line: string) => {
    view.stop();
    if (lines) lines.print(line);
    else process.stderr.write(line + '\n');
  };
  const prompt = opts.yes ? undefined : new LinePrompt(signal);
  const onEvent = (i: number, e: StationEvent) => {
    const port = ports[i]!.port;
    if (e.type === 'ok' || e.type === 'failed') {
      view.stop();
      const text = json ? JSON.stringify(e.entry) : entryLine(e.entry) + (gang ? `  (${port})` : '');
      if (lines) lines.print(text, process.stdout);
      else process.stdout.write(text + '\n');
      lines?.set(i, e.type === 'ok' ? `sn ${e.entry.sn} ok` : `failed at ${e.entry.step}`);
      return;
    }
    if (e.type === 'board' && e.event.type === 'step') {
      if (lines && tty) lines.set(i, `${e.event.step}…`);
      else view.spin(`${e.event.step}…`);
      return;
    }
    const line = statusLine(e);
    if (!line) return;
    if (lines) lines.set(i, line);
    else if (e.type === 'waiting' && tty) view.spin(line);
    else say(line);
  };
  try {
    const { summaries, failure } = await runStations({
      ports,
      ledger: opts.ledger,
      startSn,
      job: { firmware, fuses, eepromFor },
      renumber: opts.renumber === true,
      entryBase: { firmware: { file: firmware.file, sha256: firmware.sha256, version: firmware.version }, chemistry, fuses: fuseHex(fuses.values) },
      count,
      signal,
      decide: (i, failure) => (prompt ? ask(prompt, failure, gang ? ports[i]!.port : undefined, () => (view.stop(), lines?.stop())) : Promise.resolve<Decision>('next')),
      onProgress: gang ? undefined : (_i, e) => view.onProgress(e),
      onEvent,
      onOpen: ({ location, status }) => {
        for (const d of status.damaged) say(`warning: ${location} line ${d.line} is cut short${d.last ? ' (a crash while writing it?)' : ''}${d.sn !== null ? `; sn ${d.sn} counts as used` : ''}`);
        say(`firmware ${firmware.file}: ${firmware.version ?? '(no version string)'}${firmware.debug ? ' (debug build)' : ''}, ${firmware.flashBytes} B flash, sha256 ${firmware.sha256.slice(0, 16)}…`);
        say(`fuses ${fuses.file}: ${fuseHex(fuses.values)}; EEPROM ${chemistry}${request.config.tempOffset ? `, temp offset ${request.config.tempOffset} K` : ''}`);
        say(`ledger ${location}: ${status.entries} entries; next serial number ${status.next ?? '(none left)'}`);
      },
    });
    view.stop();
    lines?.stop();
    if (json) printJson(gang ? { type: 'summary', stations: summaries } : { type: 'summary', ...summaries[0]! });
    else for (const s of summaries) for (const line of summaryLines(s)) process.stderr.write((gang ? `${s.port}: ` : '') + line + '\n');
    if (failure) throw failure;
    process.exitCode = exitCodeOf(summaries);
  } finally {
    view.stop();
    lines?.stop();
    prompt?.close();
  }
}

function exitCodeOf(summaries: StationSummary[]): number {
  if (summaries.some((s) => s.interruptedBoard)) return ExitCode.interrupted;
  return summaries.some((s) => s.failed > 0 && s.ok < s.boards) ? ExitCode.failure : ExitCode.ok;
}

/** After a failure: Enter = next board, r = retry, q = quit (stdin ended or Ctrl-C: quit). */
async function ask(prompt: LinePrompt, failure: FailedBoard, port: string | undefined, clear: () => void): Promise<Decision> {
  clear();
  const question = `${port ? `${port}: ` : ''}board failed at ${failure.step} (attempt ${failure.attempt}). Enter = next board, r = retry, q = quit: `;
  const answer = await prompt.ask<Decision>(question, (a) => (a === '' || a === 'n' || a === 'next' ? 'next' : a === 'r' || a === 'retry' ? 'retry' : a === 'q' || a === 'quit' ? 'quit' : undefined));
  return answer ?? 'quit';
}

/** The EEPROM options out of all the command's options. */
function pickEeprom(opts: Record<string, unknown>): EepromOptions {
  const out: Record<string, unknown> = {};
  for (const f of CONFIG_FIELDS) {
    const key = optionAttribute(f.option);
    if (f.key !== 'serialNumber' && opts[key] !== undefined) out[key] = opts[key];
  }
  return out as EepromOptions;
}
