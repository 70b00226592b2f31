/**
 * `ltobms fuses [file]`: write the fuse bytes of a hex/ELF file (default: the firmware's fuse file)
 * over UPDI. Only fuses that differ are written; all are read back. A SYSCFG0 value that would take
 * the UPDI pin away is refused without --force.
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { action, printJson, type ActionContext } from '../cli/run.js';
import { seconds } from '../cli/progress.js';
import { UsageError } from '../errors.js';
import { FIRMWARE_DIR } from '../firmware/avr.js';
import { addPortOptions, parsePortOptions, runWithProgress, type PortCliOptions } from '../updi/cli-options.js';
import { readProgramImage } from '../updi/image-file.js';
import { planProgram } from '../updi/plan.js';
import { hex } from '../util/hex.js';

export const DEFAULT_FUSE_FILE = join(FIRMWARE_DIR, 'fuses.hex');

interface FusesCliOptions extends PortCliOptions {
  verify: boolean;
  force?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('fuses')
    .summary("write the fuses (default: the firmware's fuse file) over UPDI and read them back")
    .description(
      'Write fuse bytes from an Intel HEX file (fuses at 0x820000, as avr-objcopy and pymcuprog write ' +
        'them) or an ELF (.fuse section). Fuses that already hold the value are not rewritten; all are ' +
        'read back. Reserved fuse bytes (3, 4, 9) are skipped. Without a file, the firmware fuse file ' +
        'shipped with ltobms is used. A SYSCFG0 value whose RSTPINCFG is not UPDI is refused without ' +
        '--force: it would make the part unreachable for this programmer.',
    )
    .argument('[file]', 'fuse file (.hex or .elf)', DEFAULT_FUSE_FILE);
  addPortOptions(cmd)
    .option('--no-verify', 'do not read the fuses back')
    .option('--force', 'allow fuse values that turn the UPDI pin into GPIO or RESET')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms fuses --port /dev/ttyUSB0                    the board's fuses (firmware/fuses.hex)
  $ ltobms fuses build/main-LTO-dev.elf -p /dev/ttyUSB0  the .fuse section of a firmware ELF
  $ ltobms fuses my-fuses.hex -p /dev/ttyUSB0 --json`,
    )
    .action(
      action(async (file: string, opts: FusesCliOptions, _cmd: Command, ctx: ActionContext) => {
        const port = parsePortOptions(opts);
        const image = await readProgramImage(file);
        const fuses = image.memories.fuses;
        if (!fuses.length) {
          throw new UsageError(`${file} holds no fuse data (expected at hex address 0x820000 or an ELF .fuse section)`, { code: 'IMAGE_EMPTY' });
        }
        const { result: outcome, ms } = await runWithProgress(port, ctx.signal, opts.json, async (p) => {
          await p.session.enterProgMode();
          const device = await p.identify();
          const plan = planProgram({ fuses }, device, { force: opts.force === true });
          const before = await p.readMemory(device, 'fuses');
          const changed = plan.fuses.filter((f) => before[f.index] !== f.value);
          const result = await p.program({ ...plan, fuses: changed }, { verify: opts.verify });
          return { device, plan, before, changed, result };
        });
        const rows = outcome.plan.fuses.map((f) => ({
          name: f.name,
          address: f.address,
          before: outcome.before[f.index]!,
          value: f.value,
          written: outcome.changed.includes(f),
        }));
        if (opts.json) {
          printJson({ device: outcome.device.name, file, fuses: rows, skipped: outcome.plan.skippedFuses, verified: outcome.result.verified, seconds: Number((ms / 1000).toFixed(3)) });
          return;
        }
        for (const r of rows) process.stdout.write(`${r.name.padEnd(8)} ${r.written ? `${hex(r.before, 2)} -> ${hex(r.value, 2)}` : `${hex(r.value, 2)} (unchanged)`}\n`);
        const verified = opts.verify ? `, verified ${outcome.result.verified}` : '';
        process.stdout.write(`${outcome.device.name}: wrote ${outcome.changed.length} of ${rows.length} fuses${verified} in ${seconds(ms)}\n`);
      }),
    );
}
