/**
 * `ltobms build`: compile the firmware (firmware/ in the ltobms package) for one or both
 * chemistries with avr-gcc, incrementally and in parallel, and report flash / RAM / EEPROM use.
 * Thin: options → typed input → src/firmware/firmware.ts → render (table or --json).
 */
import { isAbsolute, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { Spinner } from '../cli/spinner.js';
import { LtobmsError } from '../errors.js';
import { PACKAGE_ROOT } from '../firmware/avr.js';
import { parseChemistries, type Chemistry } from '../part/chemistry.js';
import { buildFirmwares, checkVersion, type FirmwareEvent } from '../firmware/firmware.js';
import { displayPath, formatBuildReport, type BuildReport } from '../firmware/report.js';
import type { Diagnostic } from '../firmware/toolchain.js';
import { defaultFirmwareVersion } from '../firmware/version.js';

interface BuildOptions {
  chemistry: string;
  debug?: boolean;
  fwVersion?: string;
  out: string;
  lst?: boolean;
  json?: boolean;
}

interface BuildInput {
  chemistries: Chemistry[];
  debug: boolean;
  version: string;
  outDir: string;
  lst: boolean;
  json: boolean;
}

async function toInput(opts: BuildOptions): Promise<BuildInput> {
  const chemistries = parseChemistries(opts.chemistry);
  const version = checkVersion(opts.fwVersion ?? (await defaultFirmwareVersion()));
  return {
    chemistries,
    debug: opts.debug === true,
    version,
    outDir: resolve(opts.out),
    lst: opts.lst === true,
    json: opts.json === true,
  };
}

/** Compiler output with the package path shortened to what the user sees from their cwd. */
function showDiagnostic(d: Diagnostic): string {
  const root = PACKAGE_ROOT.replace(/\/$/, '');
  const rel = relative(process.cwd(), root);
  if (rel.startsWith('..') || isAbsolute(rel)) return d.text;
  return d.text.split(root + '/').join(rel ? `${rel}/` : '');
}

const VERB: Record<FirmwareEvent['kind'], string> = {
  compile: 'compiling',
  link: 'linking',
  objcopy: 'extracting',
  objdump: 'disassembling',
};

/** The action of `ltobms build` (declared in src/cli/commands/build.ts). */
export async function execute(opts: BuildOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const input = await toInput(opts);
  // Progress only on an interactive terminal; pipes and CI get the diagnostics and the table.
  const spinner = Spinner.ifWanted();
  let done = 0;
  const say = (line: string) => (spinner ? spinner.print(line) : process.stderr.write(line + '\n'));
  spinner?.start(`building ${input.chemistries.join(' + ')} ${input.version}`);
  const started = performance.now();
  let report: BuildReport;
  try {
    const builds = await buildFirmwares(
      input.chemistries,
      { version: input.version, debug: input.debug, outDir: input.outDir, lst: input.lst },
      {
        signal: ctx.signal,
        onDiagnostic: (d) => say(showDiagnostic(d)),
        onStep: (e) => {
          if (e.status === 'start') spinner?.setText(`${e.chemistry}: ${VERB[e.kind]} ${displayPath(e.file)}`);
          if (e.status === 'done') done++;
        },
      },
    );
    report = {
      version: input.version,
      debug: input.debug,
      outDir: input.outDir,
      builds,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (err) {
    spinner?.fail('build failed');
    throw err;
  }
  spinner?.succeed(done ? `built in ${report.seconds.toFixed(2)} s` : 'everything up to date');
  if (input.json) printJson(report);
  else process.stdout.write(formatBuildReport(report));
  const tooBig = report.builds.find((b) => !b.withinLimits);
  if (tooBig) {
    throw new LtobmsError(
      `the ${tooBig.chemistry} firmware does not fit the ATtiny824 (flash ${tooBig.memory.flash}/${tooBig.limits.flash}, ` +
        `RAM ${tooBig.memory.ram}/${tooBig.limits.ram}, EEPROM ${tooBig.memory.eeprom}/${tooBig.limits.eeprom} bytes)`,
      { code: 'BUILD_TOO_BIG', hint: 'remove code or data, or build without --debug' },
    );
  }
  // A release over the project's budget fails (the files are written): the budget keeps room on the
  // part for what is still to come, and "over" in a table that exits 0 goes unnoticed in CI.
  // Debug builds carry extra code and are not held to it.
  const overBudget = input.debug ? undefined : report.builds.find((b) => !b.withinBudget);
  if (overBudget) {
    throw new LtobmsError(
      `the ${overBudget.chemistry} release firmware is over the project budget (flash ${overBudget.memory.flash}/${overBudget.budget.flash}, ` +
        `RAM ${overBudget.memory.ram}/${overBudget.budget.ram} bytes)`,
      { code: 'BUILD_OVER_BUDGET', hint: 'trim code or data; raising BUDGET (src/firmware/firmware.ts) is a reviewed change of its own' },
    );
  }
}
