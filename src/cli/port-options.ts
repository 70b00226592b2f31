/**
 * The connection options every programming command shares (--port, --baud, --vdd, --timeout),
 * declared once. Light on purpose: the command table declares them for `ltobms --help` without
 * loading the UPDI stack; src/cli/programming.ts validates them when a command runs.
 */
import { Option, type Command } from 'commander';

export interface PortCliOptions {
  port?: string;
  baud: string;
  vdd: string;
  timeout: string;
}

export const DEFAULT_BAUD = 115200;
/** An LTO cell may sit at 1.8 V, the lowest supply the MCU runs at: assume it unless told. */
export const DEFAULT_VDD = 1.8;

export function addPortOptions(cmd: Command, options: { repeatablePort?: boolean } = {}): Command {
  const port = new Option('-p, --port <path>', `serial port of the USB-serial adapter wired for UPDI (see \`ltobms ports\`)${options.repeatablePort ? '; repeat it for several fixtures' : ''}`).env('LTOBMS_PORT');
  if (options.repeatablePort) port.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
  return cmd
    .addOption(port)
    .option('-b, --baud <n>', 'UPDI baud rate', String(DEFAULT_BAUD))
    .option('--vdd <volts>', 'board supply voltage: sets the fastest allowed --baud (225 k from 1.8 V, 450 k from 2.2 V, 900 k from 2.7 V)', String(DEFAULT_VDD))
    .option('--timeout <ms>', 'how long to wait for an answer beyond the wire time', '250');
}
