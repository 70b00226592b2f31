/**
 * `ltobms report`: recorded frames → one self-contained HTML page (charts, lockouts, summary).
 * Thin: options → filter → makeReport (src/report) → a few lines, or the same object as JSON.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
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

/** The action of `ltobms report` (declared in src/cli/commands/report.ts). */
export async function execute(inputs: string[], opts: ReportCliOptions, _cmd: Command, _ctx: ActionContext): Promise<void> {
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
}
