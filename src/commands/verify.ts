/**
 * `ltobms verify <file>`: compare an image (flash, and EEPROM with --eeprom, as `flash` selects
 * them) with the part, writing nothing. Exit 0 on a match; a mismatch is exit 1 naming the first
 * differing address and the count. Thin: options → image → compareImage → render.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { seconds } from '../cli/progress.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { checkImageForDevice, ignoredNote, readProgramImage, selectFlashMemories } from '../updi/image-file.js';
import { compareImage } from '../updi/verify-image.js';
import { verifyError } from '../updi/compare.js';
import { UpdiError } from '../updi/errors.js';

interface VerifyCliOptions extends PortCliOptions {
  eeprom?: boolean;
  force?: boolean;
  json?: boolean;
}

/** The action of `ltobms verify` (declared in src/cli/commands/verify.ts). */
export async function execute(file: string, opts: VerifyCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const port = parsePortOptions(opts);
  const image = await readProgramImage(file);
  const selection = selectFlashMemories(image, opts.eeprom === true);
  const { result: outcome, ms } = await runWithProgress(port, ctx.signal, opts.json, async (p) => {
    await p.session.enterProgMode();
    const device = await p.identify();
    checkImageForDevice(image, device, opts.force === true);
    return { device, comparison: await compareImage(p, device, selection) };
  });
  const { device, comparison } = outcome;
  const report = {
    device: device.name,
    file,
    format: image.format,
    match: comparison.differing === 0,
    bytes: comparison.bytes,
    differing: comparison.differing,
    first: comparison.first,
    memories: comparison.memories,
    ignored: selection.ignored,
    seconds: Number((ms / 1000).toFixed(3)),
  };
  if (opts.json) printJson(report);
  else {
    for (const i of selection.ignored) process.stderr.write(ignoredNote(file, i, 'compared') + '\n');
    const what = comparison.memories.map((m) => `${m.bytes} B of ${m.memory}`).join(' and ');
    if (report.match) process.stdout.write(`${device.name}: ${what} match ${file} (${seconds(ms)})\n`);
  }
  if (comparison.first) {
    const first = verifyError(comparison.first);
    const n = comparison.differing;
    throw new UpdiError('VERIFY', `${first.message}; ${n} of ${comparison.bytes} byte${comparison.bytes === 1 ? '' : 's'} differ${n === 1 ? 's' : ''}`, {
      hint: `the part does not hold ${file}; \`ltobms flash ${file}\` writes it`,
      details: { ...first.details, differing: n, bytes: comparison.bytes },
    });
  }
}
