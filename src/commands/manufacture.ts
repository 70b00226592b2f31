/**
 * `ltobms manufacture`: the production line. Waits for boards on the UPDI port, programs fuses,
 * flash and the EEPROM with the next serial number, verifies, records every attempt in the
 * ledger, and waits for the next board. `--report LEDGER` summarises a ledger.
 * Thin: options → typed input → runStation (src/workflows/station.ts) → render.
 */
import { existsSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { parseNumberOption } from '../cli/options.js';
import { ProgressView } from '../cli/progress.js';
import { ExitCode, LtobmsError, UsageError } from '../errors.js';
import { CONFIG_FIELDS, encodeConfig } from '../eeprom/image.js';
import { buildEepromRequest, optionAttribute, type EepromOptions } from '../eeprom/request.js';
import { parsePortOptions } from '../updi/cli-options.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { chooseChemistry, fuseHex, loadFirmware, loadFuses } from '../production/firmware.js';
import { MAX_SERIAL, SerialBook, readLedger } from '../production/ledger.js';
import { entryLine, statusLine, summaryLines } from '../production/render.js';
import { ledgerReport, renderReport } from '../production/report.js';
import { runStation, type Decision, type FailedBoard, type StationEvent, type StationSummary } from '../workflows/station.js';

interface ManufactureCliOptions extends PortCliOptions, Omit<EepromOptions, 'sn' | 'file' | 'format' | 'json' | 'force'> {
  firmware?: string;
  startSn?: string;
  ledger: string;
  fuses?: string;
  renumber?: boolean;
  yes?: boolean;
  count?: string;
  report?: string;
  json?: boolean;
}

/** The action of `ltobms manufacture` (declared in src/cli/commands/manufacture.ts). */
export async function execute(opts: ManufactureCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  if (opts.report !== undefined) return report(opts.report, opts.json === true);
  await manufacture(opts, ctx.signal);
}

function report(path: string, json: boolean): void {
  if (!existsSync(path)) throw new UsageError(`ledger ${path} does not exist`, { code: 'LEDGER_MISSING', hint: 'check the path (`ltobms manufacture` writes ltobms-ledger.jsonl by default)' });
  const contents = readLedger(path);
  if (!contents.entries.length && !contents.damaged.length) {
    throw new UsageError(`${path} holds no ledger entries`, { code: 'LEDGER_EMPTY', hint: 'a ledger gets its first line when the first board has been tried' });
  }
  const r = ledgerReport(path, contents);
  if (json) printJson(r);
  else process.stdout.write(renderReport(r).join('\n') + '\n');
  if (r.duplicates.length) {
    throw new LtobmsError(`${r.duplicates.length} serial number${r.duplicates.length === 1 ? ' is' : 's are'} on more than one chip`, {
      code: 'LEDGER_DUPLICATES',
      hint: 'the boards listed need new numbers: program them again with --renumber',
    });
  }
}

async function manufacture(opts: ManufactureCliOptions, signal: AbortSignal): Promise<void> {
  // Everything is checked before the port is touched.
  if (opts.firmware === undefined) {
    throw new UsageError('--firmware is required', { code: 'USAGE', hint: 'e.g. --firmware build/main-LTO-v1.0.hex (or --report LEDGER to summarise a ledger)' });
  }
  const port = parsePortOptions(opts);
  const startSn = opts.startSn !== undefined ? parseNumberOption(opts.startSn, '--start-sn', { min: 1, max: MAX_SERIAL, hint: 'serial number 0 is what a board without configuration reports; start at 1 or above' }) : undefined;
  const count = opts.count !== undefined ? parseNumberOption(opts.count, '--count', { min: 1, max: 1_000_000, hint: 'e.g. --count 50; leave it out to run until Ctrl-C' }) : undefined;
  const firmware = await loadFirmware(opts.firmware);
  const chemistry = chooseChemistry(opts.chemistry, firmware);
  const fuses = await loadFuses(opts.fuses, firmware.file);
  const request = buildEepromRequest({ ...pickEeprom(opts as unknown as Record<string, unknown>), chemistry, sn: '1' });
  const eepromFor = (sn: number) => encodeConfig({ ...request.config, serialNumber: sn });
  const ledgerPath = resolve(opts.ledger);
  const contents = readLedger(ledgerPath);
  const book = new SerialBook(contents, startSn);
  const firstSn = book.next();

  const json = opts.json === true;
  const tty = !json && process.stderr.isTTY === true && !process.env.CI;
  const view = new ProgressView({ interactive: tty });
  const say = (line: string) => {
    view.stop();
    process.stderr.write(line + '\n');
  };
  for (const d of contents.damaged) say(`warning: ${ledgerPath} line ${d.line} is cut short${d.last ? ' (a crash while writing it?)' : ''}${d.sn !== null ? `; sn ${d.sn} counts as used` : ''}`);

  const prompt = opts.yes ? undefined : new Prompt(signal);
  let summary: StationSummary;
  try {
    summary = await runStation({
      port: port.port,
      baud: port.baud,
      timeoutMs: port.timeoutMs,
      ledgerPath,
      job: { firmware, fuses, eepromFor, renumber: opts.renumber === true },
      book,
      entryBase: { firmware: { file: firmware.file, sha256: firmware.sha256, version: firmware.version }, chemistry, fuses: fuseHex(fuses.values) },
      count,
      signal,
      decide: (failure) => (prompt ? prompt.ask(failure, view) : Promise.resolve<Decision>('next')),
      onProgress: view.onProgress,
      onOpen: () => {
        say(`firmware ${firmware.file}: ${firmware.version ?? '(no version string)'}, ${firmware.flashBytes} B flash, sha256 ${firmware.sha256.slice(0, 16)}…`);
        say(`fuses ${fuses.file}: ${fuseHex(fuses.values)}; EEPROM ${chemistry}${request.config.tempOffset ? `, temp offset ${request.config.tempOffset} K` : ''}`);
        say(`ledger ${ledgerPath}: ${contents.entries.length} entries; next serial number ${firstSn}`);
      },
      onEvent: (e: StationEvent) => {
        if (e.type === 'ok' || e.type === 'failed') {
          view.stop();
          process.stdout.write((json ? JSON.stringify(e.entry) : entryLine(e.entry)) + '\n');
          return;
        }
        if (e.type === 'board' && e.event.type === 'step') {
          view.spin(`${e.event.step}…`);
          return;
        }
        const line = statusLine(e);
        if (!line) return;
        if (e.type === 'waiting') {
          if (tty) view.spin(line);
          else say(line);
        } else say(line);
      },
      // The adapter went away or the ledger cannot be written: still say what was done.
      onFailure: (partial) => {
        view.stop();
        for (const line of summaryLines(partial)) process.stderr.write(line + '\n');
      },
    });
  } finally {
    view.stop();
    prompt?.close();
  }
  if (json) printJson({ type: 'summary', ...summary });
  else for (const line of summaryLines(summary)) process.stderr.write(line + '\n');
  if (summary.interruptedBoard) process.exitCode = ExitCode.interrupted;
  else process.exitCode = summary.failed > 0 && summary.ok < summary.boards ? ExitCode.failure : ExitCode.ok;
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

/** Asks the operator what to do after a failure: a line from stdin (Enter, r, q). */
class Prompt {
  private rl: Interface | undefined;
  private readonly lines: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;

  constructor(private readonly signal: AbortSignal) {}

  async ask(failure: FailedBoard, view: ProgressView): Promise<Decision> {
    view.stop();
    this.open();
    for (;;) {
      process.stderr.write(`board failed at ${failure.step} (attempt ${failure.attempt}). Enter = next board, r = retry, q = quit: `);
      const answer = await this.next();
      if (answer === undefined) {
        process.stderr.write('\n');
        return 'quit';
      }
      const a = answer.trim().toLowerCase();
      if (a === '' || a === 'n' || a === 'next') return 'next';
      if (a === 'r' || a === 'retry') return 'retry';
      if (a === 'q' || a === 'quit') return 'quit';
      process.stderr.write(`"${answer.trim()}"? `);
    }
  }

  close(): void {
    this.rl?.close();
  }

  private open(): void {
    if (this.rl) return;
    this.rl = createInterface({ input: process.stdin, terminal: false });
    this.rl.on('line', (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(line);
      } else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.waiter?.(undefined);
      this.waiter = undefined;
    });
  }

  private next(): Promise<string | undefined> {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.ended || this.signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiter = undefined;
        resolve(undefined);
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = (line) => {
        this.signal.removeEventListener('abort', onAbort);
        resolve(line);
      };
    });
  }
}
