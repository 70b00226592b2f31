/**
 * Port listing from sysfs, on a fake /sys tree laid out like Linux's: /sys/class/tty/<name>/device
 * is a symlink into /sys/devices; for a USB adapter the USB device directory above the interface
 * holds idVendor, idProduct, manufacturer, product and serial.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listFromSysfs, listPorts } from '../../src/serial/ports.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'ltobms-sys-'));
after(() => rmSync(root, { recursive: true, force: true }));

function fakeSys(): string {
  const sys = join(root, 'sys');
  const usbDev = join(sys, 'devices/pci0000:00/0000:00:14.0/usb1/1-2');
  const ftdiTty = join(usbDev, '1-2:1.0/ttyUSB0');
  mkdirSync(ftdiTty, { recursive: true });
  const attrs: Record<string, string> = { idVendor: '0403', idProduct: '6001', manufacturer: 'FTDI', product: 'FT232R USB UART', serial: 'A50285BI' };
  for (const [k, v] of Object.entries(attrs)) writeFileSync(join(usbDev, k), v + '\n');
  const ch340 = join(sys, 'devices/pci0000:00/0000:00:14.0/usb1/1-3');
  mkdirSync(join(ch340, '1-3:1.0/ttyUSB1'), { recursive: true });
  writeFileSync(join(ch340, 'idVendor'), '1A86\n');
  writeFileSync(join(ch340, 'idProduct'), '7523\n');
  const uart = join(sys, 'devices/platform/serial8250/tty/ttyS0');
  mkdirSync(uart, { recursive: true });
  const cls = join(sys, 'class/tty');
  for (const name of ['ttyUSB0', 'ttyUSB1', 'ttyS0', 'tty0']) mkdirSync(join(cls, name), { recursive: true });
  symlinkSync(join(usbDev, '1-2:1.0'), join(cls, 'ttyUSB0', 'device'));
  symlinkSync(join(ch340, '1-3:1.0'), join(cls, 'ttyUSB1', 'device'));
  symlinkSync(uart, join(cls, 'ttyS0', 'device'));
  return sys;
}

test('sysfs listing finds USB adapters with vendor/product and keeps plain UARTs apart', async () => {
  const sys = fakeSys();
  const all = await listFromSysfs(sys, '/dev');
  const byPath = Object.fromEntries(all.map((p) => [p.path, p]));
  assert.deepEqual(byPath['/dev/ttyUSB0'], {
    path: '/dev/ttyUSB0',
    source: 'sysfs',
    vendorId: '0403',
    productId: '6001',
    manufacturer: 'FTDI',
    product: 'FT232R USB UART',
    serialNumber: 'A50285BI',
  });
  assert.equal(byPath['/dev/ttyUSB1']!.vendorId, '1a86');
  assert.equal(byPath['/dev/ttyS0']!.vendorId, undefined);
  assert.equal(byPath['/dev/tty0'], undefined, 'virtual terminals have no device link');
  const usb = await listPorts({ sysRoot: sys });
  assert.deepEqual(usb.map((p) => p.path), ['/dev/ttyUSB0', '/dev/ttyUSB1']);
  const every = await listPorts({ sysRoot: sys, all: true });
  assert.deepEqual(every.map((p) => p.path), ['/dev/ttyS0', '/dev/ttyUSB0', '/dev/ttyUSB1']);
});

test('ltobms ports --json prints a JSON list on this machine (whatever it has)', async () => {
  const r = await runCli(['ports', '--json', '--all']);
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as { path: string }[];
  assert.ok(Array.isArray(list));
  for (const p of list) assert.match(p.path, /^\/dev\//);
});
