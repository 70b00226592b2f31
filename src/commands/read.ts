/**
 * `ltobms read <memory>`: read flash, EEPROM, fuses, lock byte, user row or signature row over
 * UPDI into a file (.hex or .bin by extension) or as a hex dump on stdout.
 */
import type { Command } from 'commander';
import { extname } from 'node:path';
import { printJson, type ActionContext } from '../cli/run.js';
import { summaryLine } from '../cli/progress.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../eeprom/io.js';
import { AVR_HEX_BASE, formatIntelHex } from '../image/ihex.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { MEMORY_NAMES, type MemoryName } from '../updi/memory-names.js';
import { hexBytes } from '../util/hex.js';

interface ReadCliOptions extends PortCliOptions {
  output?: string;
  format?: string;
  json?: boolean;
}

type FileFormat = 'hex' | 'bin';

function outputFormat(path: string, format: string | undefined): FileFormat {
  const f = (format ?? extname(path).slice(1)).toLowerCase();
  if (f === 'hex' || f === 'ihex') return 'hex';
  if (f === 'bin' || f === 'raw') return 'bin';
  throw new UsageError(`cannot tell the output format of ${path}`, { code: 'USAGE', hint: 'name the file *.hex or *.bin, or pass --format hex|bin' });
}

/** 16 bytes per line with the memory offset, like `xxd` without the ASCII column. */
export function hexDump(data: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += 16) lines.push(`${i.toString(16).padStart(4, '0')}: ${hexBytes(data.subarray(i, i + 16))}`);
  return lines.join('\n') + '\n';
}

/** The action of `ltobms read` (declared in src/cli/commands/read.ts). */
export async function execute(memoryArg: string, opts: ReadCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const memory = memoryArg.toLowerCase() as MemoryName;
  if (!MEMORY_NAMES.includes(memory)) {
    throw new UsageError(`unknown memory "${memoryArg}"`, { code: 'USAGE', hint: `choose one of ${MEMORY_NAMES.join(', ')}` });
  }
  const port = parsePortOptions(opts);
  const format = opts.output ? outputFormat(opts.output, opts.format) : undefined;
  const {
    result: { device, data },
    ms,
  } = await runWithProgress(port, ctx.signal, opts.json, async (p) => {
    await p.session.enterProgMode();
    const device = await p.identify();
    return { device, data: await p.readMemory(device, memory) };
  });
  if (opts.output) {
    const base = AVR_HEX_BASE[memory];
    await writeFileAtomic(opts.output, format === 'hex' ? formatIntelHex([{ address: base, data }]) : data);
  }
  if (opts.json) {
    printJson({ device: device.name, memory, size: data.length, file: opts.output ?? null, format: format ?? null, seconds: Number((ms / 1000).toFixed(3)), data: Buffer.from(data).toString('hex') });
    return;
  }
  if (!opts.output) process.stdout.write(hexDump(data));
  const where = opts.output ? ` to ${opts.output}` : '';
  (opts.output ? process.stdout : process.stderr).write(`${device.name}: ${summaryLine([{ label: `read ${memory}`, bytes: data.length }], ms)}${where}\n`);
}
