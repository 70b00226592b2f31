/**
 * Which serial port carries the board's UART when only the UPDI port is given: the other port
 * of the same USB adapter. Dual-channel adapters (FT2232, CP2105, CH342 …) show up as two ttys
 * with the same vendor, product and USB serial number; one is wired to UPDI, the other to the
 * board's TX. Anything less certain is not guessed.
 */
import { realpath } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { PortInfo } from '../serial/ports.js';

export async function siblingUartPort(updiPort: string, ports: PortInfo[]): Promise<string> {
  const real = async (p: string) => realpath(p).catch(() => p);
  const target = await real(updiPort);
  let self: PortInfo | undefined;
  for (const p of ports) if ((await real(p.path)) === target) self = p;
  const noGuess = (why: string) =>
    new UsageError(`cannot tell which port carries the board's UART: ${why}`, {
      code: 'RUN_UART_PORT',
      hint: 'pass --uart-port (it may be the UPDI port itself if one adapter does both), or --no-log',
    });
  if (!self) throw noGuess(`${updiPort} is not a USB-serial adapter this system lists`);
  if (!self.serialNumber) throw noGuess(`the adapter on ${updiPort} has no USB serial number to match its other port by`);
  const siblings = ports.filter((p) => p !== self && p.vendorId === self.vendorId && p.productId === self.productId && p.serialNumber === self.serialNumber);
  if (siblings.length === 0) throw noGuess(`the adapter on ${updiPort} has no second port`);
  if (siblings.length > 1) throw noGuess(`the adapter on ${updiPort} has ${siblings.length} other ports (${siblings.map((s) => s.path).join(', ')})`);
  return siblings[0]!.path;
}
