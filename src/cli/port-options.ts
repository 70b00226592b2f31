/**
 * The connection options every programming command shares, declared once, with avrdude's and
 * pymcuprog's letters: -P/--port, -b/--baud, -p/--part, -c/--programmer (plus --vdd, --timeout).
 * Light on purpose: the command table declares them for `ltobms --help` without loading the UPDI
 * stack; src/cli/programming.ts validates them when a command runs.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_BAUD } from '../config/settings.js';
import { bindSetting } from './settings.js';

export interface PortCliOptions {
  port?: string;
  baud: string;
  /** -p: the part the user expects (avrdude's meaning), checked against the chip's signature. */
  part?: string;
  /** -c: the programmer type; only SerialUPDI (a USB-serial adapter and a resistor) is this one. */
  programmer?: string;
  vdd: string;
  timeout: string;
}

export { DEFAULT_BAUD };
/** An LTO cell may sit at 1.8 V, the lowest supply the MCU runs at: assume it unless told. */
export const DEFAULT_VDD = 1.8;
/** The programmer ids ltobms answers to with -c (avrdude's and pymcuprog's name for it). */
export const PROGRAMMER_IDS = ['serialupdi'] as const;

export function addPortOptions(cmd: Command, options: { repeatablePort?: boolean } = {}): Command {
  const port = new Option('-P, --port <path>', `serial port of the USB-serial adapter wired for UPDI (see \`ltobms ports\`)${options.repeatablePort ? '; repeat it for several fixtures' : ''}`);
  if (options.repeatablePort) port.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return cmd
    .addOption(bindSetting(port, 'port'))
    .addOption(bindSetting(new Option('-b, --baud <n>', 'UPDI baud rate').default(String(DEFAULT_BAUD)), 'baud'))
    .option('-p, --part <part>', 'the part you expect (t824 or attiny824), checked against the chip\'s signature; -p is the part, as in avrdude')
    .option('-c, --programmer <id>', 'programmer type: serialupdi, the only one (accepted for avrdude habits)')
    .option('--vdd <volts>', 'board supply voltage: sets the fastest allowed --baud (225 k from 1.8 V, 450 k from 2.2 V, 900 k from 2.7 V)', String(DEFAULT_VDD))
    .option('--timeout <ms>', 'how long to wait for an answer beyond the wire time', '250');
}
