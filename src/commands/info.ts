/**
 * `ltobms info`: what is on the other end of the UPDI wire — SIB, part, revision, serial number,
 * fuses decoded, lock state, and the board's EEPROM configuration if there is one. Collects one
 * report object; the human view and --json render the same object.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { CONFIG_FIELDS, CONFIG_SIZE, decodeConfig } from '../eeprom/image.js';
import { parsePortOptions, runWithProgress } from '../cli/programming.js';
import type { PortCliOptions } from '../cli/port-options.js';
import { decodeFuses, fuseMeanings, FUSE_NAMES, type DecodedFuses } from '../part/fuses.js';
import { LOCKBIT } from '../part/tinyavr2.js';
import type { SibInfo } from '../updi/session.js';
import { hex, hexBytes } from '../util/hex.js';

interface InfoCliOptions extends PortCliOptions {
  json?: boolean;
}

export interface InfoReport {
  port: string;
  baud: number;
  sib: SibInfo;
  locked: boolean;
  device: string | null;
  signature: string | null;
  /** 'A', 'B', … from SYSCFG.REVID. */
  revision: string | null;
  serialNumber: string | null;
  fuses: DecodedFuses | null;
  lockByte: number | null;
  eepromConfig: {
    valid: boolean;
    magicValid: boolean;
    crcValid: boolean;
    chemistry: string | null;
    fields: Record<string, number>;
  } | null;
}

/** The action of `ltobms info` (declared in src/cli/commands/info.ts). */
export async function execute(opts: InfoCliOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  const port = parsePortOptions(opts);
  const { result: report } = await runWithProgress(port, ctx.signal, opts.json, async (p): Promise<InfoReport> => {
    const locked = await p.session.isLocked();
    const base: InfoReport = {
      port: port.port,
      baud: port.baud,
      sib: p.session.sib!,
      locked,
      device: null,
      signature: null,
      revision: null,
      serialNumber: null,
      fuses: null,
      lockByte: null,
      eepromConfig: null,
    };
    if (locked) return base;
    await p.session.enterProgMode();
    const device = await p.identify();
    const revid = await p.session.readRevision();
    const serial = await p.session.readSerialNumber();
    const fuses = await p.readMemory(device, 'fuses');
    const [lockByte] = await p.readMemory(device, 'lock');
    const eeprom = await p.readMemory(device, 'eeprom', 0, CONFIG_SIZE);
    const blank = eeprom.every((b) => b === 0xff);
    const d = blank ? undefined : decodeConfig(eeprom, 'the EEPROM');
    return {
      ...base,
      device: device.name,
      signature: hexBytes(device.signature),
      revision: String.fromCharCode(0x41 + revid),
      serialNumber: hexBytes(serial),
      fuses: decodeFuses(fuses),
      lockByte: lockByte!,
      eepromConfig: d
        ? {
            valid: d.magicValid && d.crcValid,
            magicValid: d.magicValid,
            crcValid: d.crcValid,
            chemistry: d.chemistry,
            fields: Object.fromEntries(CONFIG_FIELDS.map((f) => [f.name, d.config[f.key]])),
          }
        : null,
    };
  });
  if (opts.json) printJson(report);
  else process.stdout.write(renderInfo(report));
}

export function renderInfo(r: InfoReport): string {
  const out: string[] = [];
  const row = (k: string, v: string) => out.push(`${k.padEnd(12)}${v}`);
  row('port', `${r.port} at ${r.baud} baud`);
  row('SIB', `${r.sib.raw}  (family ${r.sib.family}, NVM ${r.sib.nvm}, OCD ${r.sib.ocd})`);
  if (r.locked) {
    row('lock', 'LOCKED: memories cannot be read; `ltobms erase` unlocks the part (erasing it)');
    return out.join('\n') + '\n';
  }
  row('device', `${r.device}  signature ${r.signature}  revision ${r.revision}`);
  row('serial', r.serialNumber ?? '?');
  row('lock', `${hex(r.lockByte!, 2)} (${r.lockByte === LOCKBIT.NOLOCK ? 'unlocked' : 'locked at next reset'})`);
  const f = r.fuses!;
  const fields: Record<string, string> = fuseMeanings(f);
  FUSE_NAMES.forEach((name, i) => {
    if (name.startsWith('reserved')) return;
    row(i === 0 ? 'fuses' : '', `${name.padEnd(8)}${hex(f.raw[i]!, 2)}  ${fields[name]}`);
  });
  const c = r.eepromConfig;
  if (!c) row('EEPROM', 'blank (no configuration: the firmware uses its defaults)');
  else {
    const state = c.valid ? `valid${c.chemistry ? `, ${c.chemistry} default limits` : ', custom limits'}` : `INVALID (${!c.magicValid ? 'magic' : 'CRC'} wrong: the firmware ignores it)`;
    row('EEPROM', `configuration ${state}`);
    for (const [k, v] of Object.entries(c.fields)) row('', `${k.padEnd(15)}${v}`);
  }
  return out.join('\n') + '\n';
}
