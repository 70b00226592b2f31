/**
 * `ltobms report`: recorded frames → one self-contained HTML page (charts, lockouts, summary).
 * Thin: options → filter → makeReport (src/report) → a few lines, or the same object as JSON.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { action, printJson, type ActionContext } from '../cli/run.js';
import { UsageError } from '../errors.js';
import { formatReportLines } from '../report/render.js';
import { makeReport } from '../report/report.js';
import { parseTimeOption } from '../report/time.js';

interface ReportCliOptions {
  output: string;
  id?: string;
  from?: string;
  to?: string;
  title?: string;
  json?: boolean;
}

function parseIds(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!/^[0-9a-fA-F]{4}$/.test(id)) throw new UsageError(`--id ${id}: a board id is 4 hex digits`, { code: 'USAGE', hint: 'e.g. --id 0007, or --id 0007,002A for two boards' });
  }
  return ids;
}

export function register(program: Command): void {
  program
    .command('report')
    .summary('charts of recorded frames as one HTML file: voltages, current, temperature, charge, lockouts')
    .description(
      'Read line-protocol files (ltobms log\'s daily files, ltobms demo\'s) and write one self-contained ' +
        'HTML page: battery and load voltage, current, temperature and charge against time, protection ' +
        'states with UVLO/OVLO/OCLO marked and named, a board selector and a summary per board (energy ' +
        'in and out, time in each state, lowest and highest cell voltage). No network needed to view it.',
    )
    .argument('<input...>', '.lp files, or folders of them')
    .option('-o, --output <file>', 'the HTML file to write', 'report.html')
    .option('--id <ID[,ID]>', 'only these boards (4 hex digits each)')
    .option('--from <time>', 'only frames at or after this time (ISO 8601, or epoch seconds)')
    .option('--to <time>', 'only frames at or before this time')
    .option('--title <text>', 'the page title', 'LTO-BMS report')
    .option('--json', 'print the result (file, boards, summaries) as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms report ltobms-data/log                        every day file, every board
  $ ltobms report ltobms-data/log/2026-11-21.lp -o today.html
  $ ltobms report ltobms-data/log --id 0007 --from 2026-11-20 --to 2026-11-21T12:00`,
    )
    .action(
      action(async (inputs: string[], opts: ReportCliOptions, _cmd: Command, _ctx: ActionContext) => {
        const filter = {
          ids: parseIds(opts.id),
          fromMs: opts.from !== undefined ? parseTimeOption(opts.from, '--from') : undefined,
          toMs: opts.to !== undefined ? parseTimeOption(opts.to, '--to') : undefined,
        };
        if (filter.fromMs !== undefined && filter.toMs !== undefined && filter.fromMs > filter.toMs) {
          throw new UsageError('--from is after --to', { code: 'USAGE', hint: 'swap them' });
        }
        const result = await makeReport(inputs, { output: opts.output, filter, title: opts.title });
        if (opts.json) return printJson(result);
        for (const line of formatReportLines(result, relative(process.cwd(), result.output) || result.output)) process.stdout.write(line + '\n');
      }),
    );
}
