/**
 * `ltobms lock --yes-lock-the-chip`: LOCKBIT = 0x3a over UPDI, read back, and the lock checked
 * after a reset. Refused without the typed confirmation, before the port is opened: only a chip
 * erase unlocks the part again, and it erases the flash.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { seconds } from '../cli/progress.js';
import { UsageError } from '../errors.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { lockPart } from '../updi/lock.js';
import { hex } from '../util/hex.js';

interface LockCliOptions extends PortCliOptions {
  yesLockTheChip?: boolean;
  verify: boolean;
  json?: boolean;
}

/** The action of `ltobms lock` (declared in src/cli/commands/lock.ts). */
export async function execute(opts: LockCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  if (!opts.yesLockTheChip) {
    throw new UsageError('locking makes flash, EEPROM and fuses unreadable and unwritable over UPDI; only a chip erase unlocks the part, and it erases the flash', {
      code: 'LOCK_CONFIRM',
      hint: 'if that is what you want, add --yes-lock-the-chip',
    });
  }
  const port = parsePortOptions(opts);
  const { result, ms } = await runWithProgress(port, ctx.signal, opts.json, (p) => lockPart(p, { verify: opts.verify }));
  const report = { ...result, seconds: Number((ms / 1000).toFixed(3)) };
  if (opts.json) {
    printJson(report);
    return;
  }
  if (result.alreadyLocked) {
    process.stdout.write(`the part is locked already; nothing written (${seconds(ms)})\n`);
    return;
  }
  const checked = opts.verify ? ', read back, locked after reset' : ' (not verified)';
  process.stdout.write(`${result.device}: LOCKBIT ${hex(result.before!, 2)} -> ${hex(result.value, 2)}${checked} in ${seconds(ms)}; \`ltobms erase\` unlocks it (erasing the flash)\n`);
}
