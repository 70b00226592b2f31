/**
 * `ltobms ports`: the USB-serial adapters this machine has, with vendor and product, to pick
 * --port from.
 */
import type { Command } from 'commander';
import { action, printJson, type ActionContext } from '../cli/run.js';
import { listPorts } from '../serial/ports.js';

interface PortsCliOptions {
  all?: boolean;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('ports')
    .summary('list USB-serial adapters (for --port) with vendor and product')
    .description(
      'List serial ports backed by USB adapters, with USB vendor:product id, manufacturer, product ' +
        'and serial number (from udev, or from /sys/class/tty when udevadm is missing). --all also lists ' +
        'serial ports without USB information.',
    )
    .option('--all', 'include serial ports that are not USB adapters')
    .option('--json', 'print the list as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ltobms ports
  $ ltobms ports --json | jq -r '.[0].path'`,
    )
    .action(
      action(async (opts: PortsCliOptions, _cmd: Command, _ctx: ActionContext) => {
        const ports = await listPorts({ all: opts.all === true });
        if (opts.json) {
          printJson(ports);
          return;
        }
        if (!ports.length) {
          process.stderr.write(`no ${opts.all ? 'serial ports' : 'USB-serial adapters'} found${opts.all ? '' : ' (plug one in, or try --all)'}\n`);
          return;
        }
        for (const p of ports) {
          const id = p.vendorId ? `${p.vendorId}:${p.productId ?? '????'}` : '-';
          const name = [p.manufacturer, p.product].filter(Boolean).join(' ');
          process.stdout.write(`${p.path.padEnd(22)} ${id.padEnd(10)} ${name}${p.serialNumber ? `  serial ${p.serialNumber}` : ''}\n`);
        }
      }),
    );
}
