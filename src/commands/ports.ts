/**
 * `ltobms ports`: the USB-serial adapters this machine has, with vendor and product, to pick
 * --port from.
 */
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { listPorts } from '../serial/ports.js';

interface PortsCliOptions {
  all?: boolean;
  json?: boolean;
}

/** The action of `ltobms ports` (declared in src/cli/commands/ports.ts). */
export async function execute(opts: PortsCliOptions, _cmd: Command, _ctx: ActionContext): Promise<void> {
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
}
