/**
 * `ltobms fuses [file]` and `ltobms fuses --set NAME=VALUE,…`: write fuse bytes over UPDI, from a
 * hex/ELF file (default: the firmware's fuse file) or single values by name. Only fuses that
 * differ are written; each written one is read back. A SYSCFG0 value that would take the UPDI pin
 * away is refused without --force (the planner's rule, for both sources). --dry-run reads the
 * fuses and shows what would change, writing nothing.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { seconds } from '../cli/progress.js';
import { UsageError } from '../errors.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { readProgramImage } from '../updi/image-file.js';
import { planProgram } from '../updi/plan.js';
import { checkFuseSetting, fuseSegments, parseFuseSettings, type FuseSetting } from '../updi/fuse-set.js';
import { FUSE, fuseMeaning, type FuseName } from '../part/fuses.js';
import type { Segment } from '../image/ihex.js';
import { hex } from '../util/hex.js';

interface FusesCliOptions extends PortCliOptions {
  verify: boolean;
  force?: boolean;
  json?: boolean;
  set?: string[];
  dryRun?: boolean;
}

/** Where the fuse values come from: a file, or --set. */
type FuseSource = { kind: 'file'; file: string; fuses: Segment[] } | { kind: 'set'; fuses: Segment[]; check: FuseSetting[] };

async function fuseSource(file: string, opts: FusesCliOptions, cmd: Command): Promise<FuseSource> {
  if (opts.set?.length) {
    if (cmd.args.length) throw new UsageError(`give a fuse file or --set, not both (got ${cmd.args[0]} and --set)`, { code: 'USAGE', hint: 'ltobms fuses --set WDTCFG=0x7a writes that one fuse; ltobms fuses FILE writes the file\'s fuses' });
    const settings = parseFuseSettings(opts.set);
    return { kind: 'set', fuses: fuseSegments(settings), check: settings };
  }
  const image = await readProgramImage(file);
  if (!image.memories.fuses.length) {
    throw new UsageError(`${file} holds no fuse data (expected at hex address 0x820000 or an ELF .fuse section)`, { code: 'IMAGE_EMPTY' });
  }
  return { kind: 'file', file, fuses: image.memories.fuses };
}

/** The action of `ltobms fuses` (declared in src/cli/commands/fuses.ts). */
export async function execute(file: string, opts: FusesCliOptions, cmd: Command, ctx: ActionContext): Promise<void> {
  const port = parsePortOptions(opts);
  const source = await fuseSource(file, opts, cmd);
  const dryRun = opts.dryRun === true;
  const { result: outcome, ms } = await runWithProgress(port, ctx.signal, opts.json, async (p) => {
    await p.session.enterProgMode();
    const device = await p.identify();
    if (source.kind === 'set') for (const s of source.check) checkFuseSetting(s, device);
    const plan = planProgram({ fuses: source.fuses }, device, { force: opts.force === true });
    const before = await p.readMemory(device, 'fuses');
    const changed = plan.fuses.filter((f) => before[f.index] !== f.value);
    const result = dryRun ? undefined : await p.program({ ...plan, fuses: changed }, { verify: opts.verify });
    return { device, plan, before, changed, result };
  });
  const rows = outcome.plan.fuses.map((f) => ({
    name: f.name,
    address: f.address,
    before: outcome.before[f.index]!,
    value: f.value,
    meaning: f.name in FUSE ? fuseMeaning(f.name as FuseName, f.value) : '',
    written: !dryRun && outcome.changed.includes(f),
    changes: outcome.changed.includes(f),
  }));
  const verified = outcome.result?.verified ?? 0;
  if (opts.json) {
    printJson({
      device: outcome.device.name,
      file: source.kind === 'file' ? source.file : null,
      dryRun,
      fuses: rows,
      skipped: outcome.plan.skippedFuses,
      verified,
      seconds: Number((ms / 1000).toFixed(3)),
    });
    return;
  }
  for (const r of rows) {
    const value = r.changes ? `${hex(r.before, 2)} -> ${hex(r.value, 2)}` : `${hex(r.value, 2)} (unchanged)`;
    process.stdout.write(`${r.name.padEnd(8)} ${value.padEnd(14)}  ${r.meaning}\n`);
  }
  const name = outcome.device.name;
  if (dryRun) {
    process.stdout.write(`${name}: dry run, would write ${outcome.changed.length} of ${rows.length} fuses (nothing written)\n`);
    return;
  }
  const verifiedText = opts.verify ? `, verified ${verified}` : '';
  process.stdout.write(`${name}: wrote ${outcome.changed.length} of ${rows.length} fuses${verifiedText} in ${seconds(ms)}\n`);
}
