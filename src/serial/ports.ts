/**
 * Listing serial ports with their USB vendor/product, to find the adapter for --port.
 * serialport's own listing asks `udevadm`; where that is missing (containers, minimal systems)
 * the same facts are read from sysfs: /sys/class/tty/<name>/device leads to the USB interface,
 * whose parent device holds idVendor, idProduct, manufacturer, product and serial.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { debug } from '../util/debug.js';
import { listSystemPorts } from './serialport.js';

const log = debug('ltobms:serial:ports');

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  manufacturer?: string;
  product?: string;
  serialNumber?: string;
  /** Where the facts came from. */
  source: 'udev' | 'sysfs';
}

/** USB-serial adapters (ports with a USB vendor id); all serial ports with `all`. */
export async function listPorts(options: { all?: boolean; sysRoot?: string; devRoot?: string; useUdev?: boolean } = {}): Promise<PortInfo[]> {
  let ports: PortInfo[] | undefined;
  if (options.useUdev !== false && !options.sysRoot) {
    try {
      const found = await listSystemPorts();
      ports = found.map((p) => clean({ path: p.path, vendorId: p.vendorId, productId: p.productId, manufacturer: p.manufacturer, product: undefined, serialNumber: p.serialNumber, source: 'udev' as const }));
    } catch (err) {
      log(`serialport list failed (${(err as Error).message}); reading sysfs`);
    }
  }
  ports ??= await listFromSysfs(options.sysRoot ?? '/sys', options.devRoot ?? '/dev');
  const shown = options.all ? ports : ports.filter((p) => p.vendorId);
  return shown.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

/** Serial ports that have a backing device in sysfs, with USB facts where the device is USB. */
export async function listFromSysfs(sysRoot: string, devRoot = '/dev'): Promise<PortInfo[]> {
  const classDir = join(sysRoot, 'class', 'tty');
  const names = await readdir(classDir).catch(() => [] as string[]);
  const out: PortInfo[] = [];
  for (const name of names) {
    const device = await realpath(join(classDir, name, 'device')).catch(() => undefined);
    if (!device) continue; // virtual terminals (tty0, ptmx …) have no device
    const usb = await findUsbDevice(device, sysRoot);
    const info: PortInfo = { path: join(devRoot, name), source: 'sysfs' };
    if (usb) {
      info.vendorId = await attr(usb, 'idVendor');
      info.productId = await attr(usb, 'idProduct');
      info.manufacturer = await attr(usb, 'manufacturer');
      info.product = await attr(usb, 'product');
      info.serialNumber = await attr(usb, 'serial');
    }
    out.push(clean(info));
  }
  return out;
}

/** Walks up from the tty's device to the USB device directory (the one with idVendor). */
async function findUsbDevice(start: string, sysRoot: string): Promise<string | undefined> {
  for (let dir = start; dir.startsWith(sysRoot) && dir !== dirname(dir); dir = dirname(dir)) {
    if ((await attr(dir, 'idVendor')) !== undefined) return dir;
  }
  return undefined;
}

async function attr(dir: string, name: string): Promise<string | undefined> {
  const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
  const value = text?.trim();
  return value ? value : undefined;
}

function clean(p: PortInfo): PortInfo {
  const out: PortInfo = { path: p.path, source: p.source };
  if (p.vendorId) out.vendorId = p.vendorId.toLowerCase();
  if (p.productId) out.productId = p.productId.toLowerCase();
  if (p.manufacturer) out.manufacturer = p.manufacturer;
  if (p.product) out.product = p.product;
  if (p.serialNumber) out.serialNumber = p.serialNumber;
  return out;
}
