/**
 * `ltobms eeprom`: the 20-byte configuration image (serial number, temperature offset,
 * protection limits), byte-identical to the original eeprom.py; `ltobms eeprom decode` reads
 * one back. Thin: options → EepromRequest (src/eeprom/request.ts) → image → render.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { UsageError } from '../errors.js';
import type { Chemistry } from '../part/chemistry.js';
import { renderImage } from '../eeprom/formats.js';
import { CONFIG_FIELDS, invalidImageError, decodeConfig, type DecodedImage, type EepromConfig } from '../eeprom/image.js';
import { readCalibrationFile, readImageSource, writeFileAtomic } from '../eeprom/io.js';
import { buildEepromRequest, calibrationOfImage, imageReport, makeImage, type EepromOptions, type EepromRequest, type ImageReport } from '../eeprom/request.js';
import { calibrationRows, ratio, type CalibrationReport } from '../eeprom/calibration-report.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { summaryLine } from '../cli/progress.js';
import { hex } from '../util/hex.js';

/** The action of `ltobms eeprom` (declared in src/cli/commands/eeprom.ts). */
export async function execute(opts: EepromOptions & PortCliOptions & { write?: boolean; verify: boolean }, _cmd: Command, ctx: ActionContext): Promise<void> {
  const calibration = opts.cal === undefined ? null : await readCalibrationFile(opts.cal);
  const request = buildEepromRequest(opts, calibration);
  const { bytes, decoded, calibration: calReport } = makeImage(request);
  if (opts.write) {
    // Over UPDI: EEPROM offset 0, read back and compared (src/updi/eeprom-write.ts). The UPDI
    // stack loads only here, so making an image stays a quick command.
    const { connectOptionsFrom, parsePortOptions } = await import('../cli/programming.js');
    const { writeEepromImage } = await import('../updi/eeprom-write.js');
    const written = await writeEepromImage(bytes, connectOptionsFrom(parsePortOptions(opts), ctx.signal, undefined), opts.verify);
    if (request.output.file !== undefined) await writeFileAtomic(request.output.file, renderImage(bytes, request.output.format));
    if (request.json) printJson({ chemistry: request.chemistry, file: request.output.file ?? null, ...imageReport(decoded), calibration: calReport, written });
    else process.stdout.write(`${written.device}: EEPROM serial ${request.config.serialNumber}, ${limitsSummary(request.config, decoded.chemistry)}${calibrationSummary(calReport)}: ${summaryLine([{ label: 'wrote', bytes: written.written }, ...(opts.verify ? [{ label: 'verified', bytes: written.verified }] : [])], written.seconds * 1000)}\n`);
    return;
  }
  await emitImage(request, bytes, decoded, calReport);
}

/** The action of `ltobms eeprom decode`. */
export async function executeDecode(sourceArg: string, _opts: unknown, decode: Command, _ctx: ActionContext): Promise<void> {
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
    calibration: calibrationOfImage(source.bytes),
  };
  if (json) printJson(report);
  else process.stdout.write(renderDecode(report));
  const invalid = invalidImageError(decoded, source.name);
  if (invalid) throw invalid;
}

/** The --json of `eeprom`: the request's chemistry and destination plus the decoded image. */
interface GenerateReport extends ImageReport {
  chemistry: Chemistry;
  file: string | null;
  format: string;
  /** The calibration block the image carries (--cal), or null: a 20-byte image. */
  calibration: CalibrationReport | null;
}

async function emitImage(request: EepromRequest, bytes: Uint8Array, decoded: DecodedImage, calibration: CalibrationReport | null): Promise<void> {
  const { file, format } = request.output;
  const content = renderImage(bytes, format);
  if (file !== undefined) await writeFileAtomic(file, content);
  if (request.json) {
    const report: GenerateReport = { chemistry: request.chemistry, file: file ?? null, format, ...imageReport(decoded), calibration };
    printJson(report);
  } else if (file !== undefined) {
    process.stdout.write(`wrote ${file}: ${format}, serial ${request.config.serialNumber}, ${limitsSummary(request.config, decoded.chemistry)}, CRC ${hex(decoded.crc)}${calibrationSummary(calibration)}\n`);
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

/** ", calibration vbatt ×1.010010 -12 mV, …" for the one-line summaries ('' without a block). */
function calibrationSummary(c: CalibrationReport | null): string {
  if (!c) return '';
  return `, calibration vbatt ${ratio(c.vbatt)} ${c.vbatt.offset} mV, vload ${ratio(c.vload)} ${c.vload.offset} mV, current ${ratio(c.current)} ${c.current.offset} counts, temp ${c.tempOffsetK} K`;
}

/** The --json of `eeprom decode`; the human view prints the same object. */
interface DecodeReport extends ImageReport {
  source: string;
  format: string;
  /** Bytes read; only the first 20 are the configuration. */
  length: number;
  /** The firmware would load it: magic and CRC valid. */
  valid: boolean;
  /** The calibration block at bytes 20–39; null when the source is shorter or those bytes are erased (identity). */
  calibration: CalibrationReport | null;
}

function renderDecode(r: DecodeReport): string {
  const ok = (v: boolean) => (v ? 'valid' : 'INVALID');
  const extra = r.length > 20 ? `, ${r.length} bytes` : '';
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
  rows.push(...calibrationRows(r.calibration));
  return rows.map(([k, v]) => `${k.padEnd(14)}${v}`).join('\n') + '\n';
}
