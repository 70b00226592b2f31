/**
 * `ltobms write <memory> [file]`: bytes to the user row or EEPROM over UPDI, from a file (.bin,
 * .hex, .elf) or --hex, read back and compared. Thin: options → segments → writeByteMemory → render.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { seconds, summaryLine } from '../cli/progress.js';
import { parseNumberOption } from '../cli/options.js';
import { UsageError } from '../errors.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import type { Segment } from '../image/ihex.js';
import { readProgramImage } from '../updi/image-file.js';
import { writeByteMemory, type ByteMemory } from '../updi/userrow.js';
import { WRITABLE_MEMORIES } from '../updi/memory-names.js';

interface WriteCliOptions extends PortCliOptions {
  hex?: string;
  offset: string;
  verify: boolean;
  json?: boolean;
}

const MEMORIES: readonly ByteMemory[] = WRITABLE_MEMORIES;
const OTHER_COMMANDS: Record<string, string> = { flash: '`ltobms flash FILE`', fuses: '`ltobms fuses FILE` or `ltobms fuses --set NAME=VALUE`', lock: '`ltobms lock`' };

/** "de ad be ef", "de,ad:be", "0xde 0xad", "deadbeef" → bytes; anything else is a usage error. */
export function parseHexBytes(text: string): Uint8Array {
  const tokens = text.trim().split(/[\s,:]+/).filter(Boolean).map((t) => t.replace(/^0x/i, ''));
  const bad = () => new UsageError(`--hex ${JSON.stringify(text)}: not a list of hex bytes`, { code: 'USAGE', hint: 'two hex digits per byte: --hex "01 02 0a ff" or --hex 01020aff' });
  if (!tokens.length) throw bad();
  const bytes: number[] = [];
  for (const t of tokens) {
    if (!/^[0-9a-f]+$/i.test(t) || (t.length > 2 && t.length % 2)) throw bad();
    for (let i = 0; i < t.length; i += 2) bytes.push(parseInt(t.slice(i, Math.min(t.length, i + 2)), 16));
  }
  return Uint8Array.from(bytes);
}

/** The bytes to write as segments inside the memory, and where they came from. */
async function readBytes(memory: ByteMemory, file: string | undefined, opts: WriteCliOptions): Promise<{ segments: Segment[]; source: string; offset: number }> {
  const offset = parseNumberOption(opts.offset.replace(/^0x([0-9a-f]+)$/i, (_, h: string) => String(parseInt(h, 16))), '--offset', { min: 0, max: 255, what: 'a byte offset', hint: 'for example --offset 0x10' });
  if (opts.hex !== undefined) {
    if (file) throw new UsageError(`give a file or --hex, not both (got ${file} and --hex)`, { code: 'USAGE', hint: `ltobms write ${memory} FILE, or ltobms write ${memory} --hex "01 02"` });
    return { segments: [{ address: offset, data: parseHexBytes(opts.hex) }], source: '--hex', offset };
  }
  if (!file) throw new UsageError(`no bytes to write to the ${memory}`, { code: 'USAGE', hint: `give a file (.bin, .hex) or --hex, e.g. ltobms write ${memory} --hex "01 02"` });
  const image = await readProgramImage(file);
  // A .bin is raw bytes from the start of the memory (or --offset); the image reader calls them flash.
  if (image.format === 'bin') return { segments: image.memories.flash.map((s) => ({ address: s.address + offset, data: s.data })), source: file, offset };
  const own = image.memories[memory];
  if (own.length) return { segments: own, source: file, offset: 0 };
  // No data at the memory's hex address: addresses from 0 are relative to the memory (avrdude's -U userrow:w:file.hex).
  const others = (['eeprom', 'fuses', 'lock', 'userrow', 'sigrow'] as const).filter((m) => image.memories[m].length);
  if (image.memories.flash.length && !others.length) return { segments: image.memories.flash, source: file, offset: 0 };
  throw new UsageError(`${file} holds no ${memory} data (expected at hex address ${memory === 'userrow' ? '0x850000' : '0x810000'}, or only addresses from 0)`, { code: 'IMAGE_EMPTY' });
}

/** The action of `ltobms write` (declared in src/cli/commands/write.ts). */
export async function execute(memoryArg: string, file: string | undefined, opts: WriteCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const name = memoryArg.toLowerCase();
  const memory = MEMORIES.find((m) => m === name);
  if (!memory) {
    const other = OTHER_COMMANDS[name];
    throw new UsageError(`ltobms write takes ${MEMORIES.join(' or ')}, not "${memoryArg}"`, { code: 'USAGE', hint: other ? `\`${name}\` has its own command: ${other}` : `choose ${MEMORIES.join(' or ')}` });
  }
  const port = parsePortOptions(opts);
  const { segments, source, offset } = await readBytes(memory, file, opts);
  const { result, ms } = await runWithProgress(port, ctx.signal, opts.json, (p) => writeByteMemory(p, memory, segments, { verify: opts.verify }));
  const report = { device: result.device, memory, source, offset, written: result.written, verified: result.verified, locked: result.locked, method: result.method, retries: result.retries, seconds: Number((ms / 1000).toFixed(3)) };
  if (opts.json) {
    printJson(report);
    return;
  }
  if (result.method === 'userrow-key') {
    process.stdout.write(`locked part: wrote the user row (${result.written} B) by the USERROW key in ${seconds(ms)}; not read back (a locked part reads 0)\n`);
    return;
  }
  const parts = [{ label: `wrote ${memory}`, bytes: result.written }];
  if (opts.verify) parts.push({ label: 'verified', bytes: result.verified });
  process.stdout.write(`${result.device}: ${summaryLine(parts, ms, result.phases)}\n`);
}
