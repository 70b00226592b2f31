/**
 * `ltobms calibrate`: its options and help. The action is src/commands/calibrate.ts, imported when the
 * command runs, so listing and parsing commands loads none of their dependencies.
 */
import { Option, type Command } from 'commander';
import { lazyAction } from '../run.js';
import { bindSetting } from '../settings.js';
import { addPortOptions } from '../port-options.js';

export function declare(cmd: Command): void {
  cmd.description(
    'Calibrate a board from values you measured: read its configuration and calibration over UPDI, ' +
      'take its next log frames from the UART, compute the corrections that make it read your ' +
      'multimeter (gain for the voltages and the current, the current\'s offset with --zero, the ' +
      'temperature\'s offset), show a before/after table, write the calibration block (EEPROM bytes ' +
      '20-39; serial number and limits untouched) with read-back, reset the board and confirm with ' +
      'its next frames. A correction beyond plausible tolerance (gain off by more than 5 %) is refused ' +
      'unless --force. The board prints a frame a minute, so this takes about two minutes.',
  );
  addPortOptions(cmd)
    .addOption(bindSetting(new Option('--uart-port <path>', "the board's UART (default: the other port of the UPDI adapter, if it has exactly one)"), 'uart'))
    .option('--vbatt <mV>', 'the cell voltage you measured (at the battery terminals)')
    .option('--vload <mV>', 'the output terminal voltage you measured (output on)')
    .option('--current <mA>', 'the current you measured in series: positive discharging, negative charging (--current -250), at least 50 mA either way')
    .option('--temp <°C>', 'the board\'s temperature you measured, °C')
    .option('--zero', 'nothing is attached to the output: the current is 0, and its reading becomes the offset')
    .option('--frames <n>', 'frames to average before and after (a frame a minute)', '1')
    .option('--frame-timeout <s>', 'longest wait for each frame, seconds (--timeout is the UPDI answer timeout)', '90')
    .option('--force', 'write corrections beyond plausible tolerance too')
    .option('--json', 'print the result (the table\'s rows, both calibrations, the block) as JSON')
    .addHelpText(
      'after',
      `
Measure first, then run it with the board as it was when you measured (the same load, the same
charger). Each reference you give sets its correction; the others are kept.

Examples:
  $ ltobms calibrate -P /dev/ttyUSB0 --uart-port /dev/ttyUSB1 --vbatt 2312 --vload 2287 --current 402 --temp 21.5
  $ ltobms calibrate -P /dev/ttyUSB0 --uart-port /dev/ttyUSB1 --vbatt 2312 --zero      nothing attached: the current offset
  $ ltobms calibrate -P /dev/ttyUSB0 --vbatt 2312 --current -250 --json               charging at 250 mA; UART: the adapter's other port

docs/calibration.md explains the block, the limits and how to measure.`,
    )
    .action(lazyAction(async () => (await import('../../commands/calibrate.js')).execute));
}
