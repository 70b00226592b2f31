/**
 * `ltobms eeprom`: its options and help. The action is src/commands/eeprom.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';
import { chemistryOption } from '../settings.js';
import { CHEMISTRY } from '../../part/chemistry.js';
import { CONFIG_FIELDS } from '../../eeprom/image.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Make the 20-byte EEPROM configuration image (magic 0x7337, serial number, temperature offset, ' +
        'protection limits, CRC-16/MODBUS), byte-identical to the original eeprom.py. ' +
        'Numbers are decimal, else hexadecimal (7, ff, 0x10), as the original parsed them.',
    )
    .addOption(chemistryOption('--chemistry <LTO|NAION>', 'cell chemistry: picks the default limits and the bounds checked', 'LTO'));
  for (const f of CONFIG_FIELDS) {
    const unit = f.unit ? `, ${f.unit}` : '';
    const lto = CHEMISTRY.LTO.defaults[f.key as keyof typeof CHEMISTRY.LTO.defaults];
    const naion = CHEMISTRY.NAION.defaults[f.key as keyof typeof CHEMISTRY.NAION.defaults];
    const dflt = f.key === 'serialNumber' ? ' (required)' : f.key === 'tempOffset' ? ' (default: 0)' : lto === naion ? ` (default: ${lto})` : ` (default: LTO ${lto}, NAION ${naion})`;
    cmd.option(`${f.option} <n>`, `${f.help}${unit}${dflt}`);
  }
  addPortOptions(cmd)
    .option('-f, --file <path>', 'write the image to a file (.hex → Intel HEX, otherwise raw bytes) instead of stdout')
    .option('--format <raw|ihex|hexstring>', 'override the output format (default: from the file name; hexstring on stdout)')
    .option('--json', 'print the decoded fields, CRC and hex string as JSON')
    .option('--force', "accept limits outside the chemistry's survivable bounds (never out-of-order limits)")
    .option('--cal <file.json>', 'append the calibration block (EEPROM 20–39) from a JSON file: a 40-byte image (docs/calibration.md)')
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
  $ ltobms eeprom --sn 7 --write --port /dev/ttyUSB0     write it to the board (EEPROM offset 0) and verify
  $ ltobms eeprom --sn 7 --cal cal.json -f eeprom.hex     configuration + calibration block, 40 bytes

A calibration file is JSON; whatever it leaves out is identity (gains Q15, 32768 = 1.0):
  {"vbatt": {"gain": 33096, "offset": -12}, "vload": {"gain": 32440, "offset": 7},
   "current": {"gain": 31130, "offset": -25}, "tempOffsetK": -3}
Voltage offsets are mV, the current offset counts of the 16-sum ADC reading, tempOffsetK kelvin.
Without --cal the image is the 20-byte configuration alone, and --write leaves a calibration
block already on the board as it is.`,
    )
    .action(lazyAction(async () => (await import('../../commands/eeprom.js')).execute));

  cmd
    .command('decode')
    .description('decode an image: every field, the chemistry it matches, magic and CRC validity (exit 1 if invalid), and the calibration block at bytes 20–39 if there is one')
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
    .action(lazyAction(async () => (await import('../../commands/eeprom.js')).executeDecode));
}
