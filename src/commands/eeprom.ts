/**
 * `ltobms eeprom`: the 20-byte configuration image (serial number, temperature offset,
 * protection limits), byte-identical to the original eeprom.py; `ltobms eeprom decode` reads
 * one back. Thin: options → EepromRequest (src/eeprom/request.ts) → image → render.
 */
import type { Command } from 'commander';
import { action, printJson, type ActionContext } from '../cli/run.js';
import { UsageError } from '../errors.js';
import { CHEMISTRY, type Chemistry } from '../eeprom/chemistry.js';
import { renderImage } from '../eeprom/formats.js';
import { CONFIG_FIELDS, invalidImageError, decodeConfig, type DecodedImage, type EepromConfig } from '../eeprom/image.js';
import { readImageSource, writeFileAtomic } from '../eeprom/io.js';
import { buildEepromRequest, imageReport, makeImage, type EepromOptions, type EepromRequest, type ImageReport } from '../eeprom/request.js';
import { addPortOptions, connectOptionsFrom, parsePortOptions, type PortCliOptions } from '../updi/cli-options.js';
import { writeEepromImage } from '../updi/eeprom-write.js';
import { summaryLine } from '../cli/progress.js';
import { hex } from '../util/hex.js';

export function register(program: Command): void {
  const cmd = program
    .command('eeprom')
    .summary('make and decode the EEPROM configuration image (serial number, limits)')
    .description(
      'Make the 20-byte EEPROM configuration image (magic 0x7337, serial number, temperature offset, ' +
        'protection limits, CRC-16/MODBUS), byte-identical to the original eeprom.py. ' +
        'Numbers are decimal, else hexadecimal (7, ff, 0x10), as the original parsed them.',
    )
    .option('--chemistry <LTO|NAION>', 'cell chemistry: picks the default limits and the bounds checked', 'LTO');
  for (const f of CONFIG_FIELDS) {
    const unit = f.unit ? `, ${f.unit}` : '';
    const lto = CHEMISTRY.LTO.defaults[f.key as keyof typeof CHEMISTRY.LTO.defaults];
    const naion = CHEMISTRY.NAION.defaults[f.key as keyof typeof CHEMISTRY.NAION.defaults];
    const dflt = f.key === 'serialNumber' ? '' : f.key === 'tempOffset' ? ' (default: 0)' : lto === naion ? ` (default: ${lto})` : ` (default: LTO ${lto}, NAION ${naion})`;
    cmd.option(`${f.option} <n>`, `${f.help}${unit}${dflt}`);
  }
  addPortOptions(cmd)
    .option('-f, --file <path>', 'write the image to a file (.hex → Intel HEX, otherwise raw bytes) instead of stdout')
    .option('--format <raw|ihex|hexstring>', 'override the output format (default: from the file name; hexstring on stdout)')
    .option('--json', 'print the decoded fields, CRC and hex string as JSON')
    .option('--force', "accept limits outside the chemistry's survivable bounds (never out-of-order limits)")
    .option('--write', "write the image to the board's EEPROM over UPDI (needs --port), read it back and compare")
    .option('--no-verify', 'with --write: do not read the EEPROM back')
    .addHelpText(
      'after',
      `
Limits must be ordered uvlo-cutoff < uvlo-release < ovlo-release < ovlo-cutoff and lie
within what the chemistry survives: LTO 1400–3000 mV, NAION 1500–4000 mV, max-current at
most 2000 mA. --force lifts those bounds, never the ordering. Bad input exits 2.

Examples:
  $ ltobms eeprom --sn 7 --temp-offset 5                  print the image as 40 hex digits
  $ ltobms eeprom --sn 7 -f eeprom.hex                    Intel HEX at 0x810000 (for avrdude / pymcuprog)
  $ ltobms eeprom --sn 0x2a --chemistry NAION -f nai.bin  raw 20 bytes, Na-ion default limits
  $ ltobms eeprom --sn 7 --uvlo-cutoff 1600 --json        the decoded fields and CRC as JSON
  $ ltobms eeprom decode eeprom.hex                       what an image says, and whether it is valid
  $ ltobms eeprom --sn 7 --write --port /dev/ttyUSB0     write it to the board (EEPROM offset 0) and verify`,
    )
    .action(action(async (opts: EepromOptions & PortCliOptions & { write?: boolean; verify: boolean }, _cmd: Command, ctx: ActionContext) => {
      const request = buildEepromRequest(opts);
      const { bytes, decoded } = makeImage(request);
      if (opts.write) {
        // Over UPDI: EEPROM offset 0, read back and compared (src/updi/eeprom-write.ts).
        const written = await writeEepromImage(bytes, connectOptionsFrom(parsePortOptions(opts), ctx.signal, undefined), opts.verify);
        if (request.output.file !== undefined) await writeFileAtomic(request.output.file, renderImage(bytes, request.output.format));
        if (request.json) printJson({ chemistry: request.chemistry, file: request.output.file ?? null, ...imageReport(decoded), written });
        else process.stdout.write(`${written.device}: EEPROM serial ${request.config.serialNumber}, ${limitsSummary(request.config, decoded.chemistry)}: ${summaryLine([{ label: 'wrote', bytes: written.written }, ...(opts.verify ? [{ label: 'verified', bytes: written.verified }] : [])], written.seconds * 1000)}\n`);
        return;
      }
      await emitImage(request, bytes, decoded);
    }));

  cmd
    .command('decode')
    .description('decode an image: every field, the chemistry it matches, magic and CRC validity (exit 1 if invalid)')
    .argument('<source>', 'a .bin or .hex file, or the hex string `ltobms eeprom` printed')
    .option('--json', 'print the decoded image as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms eeprom decode eeprom.bin
  $ ltobms eeprom decode eeprom.hex --json
  $ ltobms eeprom decode 37730700050... (the 40 hex digits)`,
    )
    .action(action(async (sourceArg: string, _opts: unknown, decode: Command, _ctx: ActionContext) => {
      // eeprom has --json too, and commander gives a parent's option to the parent wherever it
      // appears; optsWithGlobals sees it on either command.
      const json = decode.optsWithGlobals<{ json?: boolean }>().json === true;
      const source = await readImageSource(sourceArg);
      const decoded = decodeConfig(source.bytes, source.name);
      const report: DecodeReport = {
        source: source.name,
        format: source.format,
        length: source.bytes.length,
        valid: decoded.magicValid && decoded.crcValid,
        ...imageReport(decoded),
      };
      if (json) printJson(report);
      else process.stdout.write(renderDecode(report));
      const invalid = invalidImageError(decoded, source.name);
      if (invalid) throw invalid;
    }));
}

/** The --json of `eeprom`: the request's chemistry and destination plus the decoded image. */
interface GenerateReport extends ImageReport {
  chemistry: Chemistry;
  file: string | null;
  format: string;
}

async function emitImage(request: EepromRequest, bytes: Uint8Array, decoded: DecodedImage): Promise<void> {
  const { file, format } = request.output;
  const content = renderImage(bytes, format);
  if (file !== undefined) await writeFileAtomic(file, content);
  if (request.json) {
    const report: GenerateReport = { chemistry: request.chemistry, file: file ?? null, format, ...imageReport(decoded) };
    printJson(report);
  } else if (file !== undefined) {
    process.stdout.write(`wrote ${file}: ${format}, serial ${request.config.serialNumber}, ${limitsSummary(request.config, decoded.chemistry)}, CRC ${hex(decoded.crc)}\n`);
  } else {
    if (typeof content !== 'string' && process.stdout.isTTY) {
      throw new UsageError('refusing to print raw binary to a terminal', {
        code: 'USAGE',
        hint: 'add -f FILE, redirect stdout (> eeprom.bin), or drop --format raw',
      });
    }
    process.stdout.write(content);
  }
}

function limitsSummary(cfg: EepromConfig, matches: Chemistry | null): string {
  if (matches) return `${matches} default limits`;
  return `custom limits (uvlo ${cfg.uvloCutoff}/${cfg.uvloRelease} mV, ovlo ${cfg.ovloRelease}/${cfg.ovloCutoff} mV, ${cfg.maxCurrent} mA, ${cfg.ocloTimeout} s)`;
}

/** The --json of `eeprom decode`; the human view prints the same object. */
interface DecodeReport extends ImageReport {
  source: string;
  format: string;
  /** Bytes read; only the first 20 are the configuration. */
  length: number;
  /** The firmware would load it: magic and CRC valid. */
  valid: boolean;
}

function renderDecode(r: DecodeReport): string {
  const ok = (v: boolean) => (v ? 'valid' : 'INVALID');
  const extra = r.length > 20 ? `, first 20 of ${r.length} bytes` : '';
  const rows: [string, string][] = [
    ['source', `${r.source} (${r.format}${extra})`],
    ['magic', `${hex(r.magic)}  ${ok(r.magicValid)}`],
  ];
  for (const f of CONFIG_FIELDS) {
    const v = r.fields[f.name]!;
    rows.push([f.name, f.key === 'serialNumber' ? `${v} (${hex(v)})` : `${v}${f.unit ? ' ' + f.unit : ''}`]);
  }
  rows.push(['crc', `${hex(r.crc)}  ${ok(r.crcValid)}${r.crcValid ? '' : ` (computed ${hex(r.crcComputed)})`}`]);
  const chem = r.matchesChemistry
    ? `${r.matchesChemistry} (its default limits)`
    : r.withinBoundsOf.length
      ? `custom limits, within ${r.withinBoundsOf.join(' and ')} bounds`
      : 'custom limits, outside every chemistry’s bounds or out of order';
  rows.push(['chemistry', chem]);
  rows.push(['hex', r.hex]);
  return rows.map(([k, v]) => `${k.padEnd(14)}${v}`).join('\n') + '\n';
}
