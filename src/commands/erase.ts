/**
 * `ltobms erase`: chip erase over UPDI — flash, EEPROM unless the EESAVE fuse is set, and the lock
 * bits (a locked part is unlocked this way). Then the erased memories are blank-checked.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { seconds } from '../cli/progress.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { UpdiError } from '../updi/errors.js';
import { hex, hex2 } from '../util/hex.js';
import { FUSE, SYSCFG0_EESAVE } from '../part/fuses.js';
import { memoryWindow } from '../updi/program.js';

interface EraseCliOptions extends PortCliOptions {
  verify: boolean;
  json?: boolean;
}

/** The action of `ltobms erase` (declared in src/cli/commands/erase.ts). */
export async function execute(opts: EraseCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const port = parsePortOptions(opts);
  const { result: outcome, ms } = await runWithProgress(port, ctx.signal, opts.json, async (p) => {
    const { wasLocked } = await p.chipErase();
    const device = await p.identify();
    const fuses = await p.readMemory(device, 'fuses');
    const eesave = (fuses[FUSE.SYSCFG0]! & SYSCFG0_EESAVE) !== 0;
    const checked: string[] = [];
    if (opts.verify) {
      for (const memory of eesave ? (['flash'] as const) : (['flash', 'eeprom'] as const)) {
        const data = await p.readMemory(device, memory);
        const at = data.findIndex((b) => b !== 0xff);
        if (at >= 0) {
          throw new UpdiError('VERIFY', `blank check failed: ${memory} offset ${hex(at)} (data address ${hex(memoryWindow(device, memory).address + at)}) reads 0x${hex2(data[at]!)} after chip erase`, {
            hint: 'retry; if it repeats, the part may be damaged or the supply too low for erasing',
          });
        }
        checked.push(memory);
      }
    }
    return { device, wasLocked, eesave, checked };
  });
  const report = { device: outcome.device.name, port: port.port, wasLocked: outcome.wasLocked, eepromKept: outcome.eesave, blankChecked: outcome.checked, seconds: Number((ms / 1000).toFixed(3)) };
  if (opts.json) {
    printJson(report);
    return;
  }
  const parts = [
    `${report.device}: chip erased${report.wasLocked ? ' (was locked; now unlocked)' : ''}`,
    report.eepromKept ? 'EEPROM kept (EESAVE)' : 'EEPROM erased',
    report.blankChecked.length ? `blank-checked ${report.blankChecked.join(' and ')}` : 'not blank-checked',
  ];
  process.stdout.write(`${parts.join(', ')} in ${seconds(ms)}\n`);
}
