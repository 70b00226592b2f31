/**
 * `ltobms fuses [file]`: write the fuse bytes of a hex/ELF file (default: the firmware's fuse file)
 * over UPDI. Only fuses that differ are written; all are read back. A SYSCFG0 value that would take
 * the UPDI pin away is refused without --force.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { seconds } from '../cli/progress.js';
import { UsageError } from '../errors.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { readProgramImage } from '../updi/image-file.js';
import { planProgram } from '../updi/plan.js';
import { hex } from '../util/hex.js';

interface FusesCliOptions extends PortCliOptions {
  verify: boolean;
  force?: boolean;
  json?: boolean;
}

/** The action of `ltobms fuses` (declared in src/cli/commands/fuses.ts). */
export async function execute(file: string, opts: FusesCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
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
}
