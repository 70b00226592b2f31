/**
 * `ltobms flash <file>`: write a firmware image (Intel HEX, AVR ELF or .bin) to flash over UPDI,
 * reading every page back. Thin: options → image + plan → Programmer → render.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { summaryLine } from '../cli/progress.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { checkImageForDevice, ignoredNote, readProgramImage, selectFlashMemories } from '../updi/image-file.js';
import { planProgram } from '../updi/plan.js';

interface FlashCliOptions extends PortCliOptions {
  erase?: boolean;
  eeprom?: boolean;
  verify: boolean;
  force?: boolean;
  json?: boolean;
}

/** The action of `ltobms flash` (declared in src/cli/commands/flash.ts). */
export async function execute(file: string, opts: FlashCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const port = parsePortOptions(opts);
  const image = await readProgramImage(file);
  const { flash, eeprom, ignored } = selectFlashMemories(image, opts.eeprom === true);
  const { result: outcome, ms } = await runWithProgress(port, ctx.signal, opts.json, async (p) => {
    await p.session.enterProgMode();
    const device = await p.identify();
    checkImageForDevice(image, device, opts.force === true);
    const plan = planProgram({ flash, eeprom }, device, { chipErase: opts.erase === true });
    return { device, result: await p.program(plan, { verify: opts.verify }) };
  });
  const { device, result } = outcome;
  const written = result.written.flash + result.written.eeprom;
  const report = {
    file,
    format: image.format,
    port: port.port,
    baud: port.baud,
    device: device.name,
    erase: opts.erase === true,
    written: { flash: result.written.flash, eeprom: result.written.eeprom },
    verified: result.verified,
    retries: result.retries,
    pageMode: result.pageMode,
    seconds: Number((ms / 1000).toFixed(3)),
    phases: result.phases.map((ph) => ({ ...ph, ms: Math.round(ph.ms) })),
    ignored,
  };
  if (opts.json) {
    printJson(report);
    return;
  }
  for (const i of ignored) {
    process.stderr.write(ignoredNote(file, i, 'written') + '\n');
  }
  const parts = [{ label: 'wrote', bytes: written }];
  if (opts.verify) parts.push({ label: 'verified', bytes: result.verified });
  const retries = result.retries ? `, ${result.retries} retr${result.retries === 1 ? 'y' : 'ies'}` : '';
  process.stdout.write(`${device.name}: ${summaryLine(parts, ms, result.phases)}${retries}\n`);
}
