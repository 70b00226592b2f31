/**
 * USB-serial adapter profiles for the wire model: what stands between the UPDI wire and the host
 * program, from public facts about each chip (sources in docs/adapters.md).
 *
 * - latency: bytes from the wire wait in the chip until its latency timer expires or a USB packet
 *   is full, then go up in one transfer (FTDI: the latency timer, 16 ms out of the box, 1 ms as
 *   a user may set it; CH340 and CP210x: no timer to set, data goes up at the next poll).
 * - packet payload: the data bytes of one full-speed bulk-in packet (FTDI: 64 minus 2 status
 *   bytes; CH340: 32-byte endpoints; CP210x: 64).
 * - turnaround: a host write reaches the wire only with the next USB frame (1 ms at full speed).
 *
 * `ideal` is a wire paced at its baud rate with nothing in between: the floor any adapter adds to.
 */
export type AdapterName = 'ideal' | 'ftdi' | 'ftdi-1ms' | 'ch340' | 'cp210x';

export interface AdapterProfile {
  name: AdapterName;
  /** What it models, in words (help, --json). */
  description: string;
  /** Latency timer: how long received bytes may wait for a full packet, ms (0 = sent at once). */
  latencyMs: number;
  /** Payload bytes per USB packet to the host (Infinity: no packets). */
  packetPayload: number;
  /** Delay before a host write reaches the wire, ms. */
  turnaroundMs: number;
}

export const ADAPTERS: Record<AdapterName, AdapterProfile> = {
  ideal: { name: 'ideal', description: 'a wire paced at its baud rate, no adapter delays', latencyMs: 0, packetPayload: Infinity, turnaroundMs: 0 },
  ftdi: { name: 'ftdi', description: 'FTDI FT232R at its default 16 ms latency timer', latencyMs: 16, packetPayload: 62, turnaroundMs: 1 },
  'ftdi-1ms': { name: 'ftdi-1ms', description: 'FTDI FT232R with its latency timer set to 1 ms (sysfs latency_timer or a udev rule)', latencyMs: 1, packetPayload: 62, turnaroundMs: 1 },
  ch340: { name: 'ch340', description: 'WCH CH340: 32-byte packets, sent at the next 1 ms poll', latencyMs: 1, packetPayload: 32, turnaroundMs: 1 },
  cp210x: { name: 'cp210x', description: 'Silicon Labs CP210x: 64-byte packets, sent at the next 1 ms poll', latencyMs: 1, packetPayload: 64, turnaroundMs: 1 },
};

export const ADAPTER_NAMES = Object.keys(ADAPTERS) as AdapterName[];

/** The profile called `name`, or undefined. */
export function adapterProfile(name: string): AdapterProfile | undefined {
  return (ADAPTER_NAMES as string[]).includes(name) ? ADAPTERS[name as AdapterName] : undefined;
}

/** The wire-model options of a profile (UpdiWireOptions / UpdiSimulatorOptions), latency included. */
export function adapterWire(profile: AdapterProfile): { latencySeconds: number; packetPayload: number; turnaroundSeconds: number } {
  return { latencySeconds: profile.latencyMs / 1000, packetPayload: profile.packetPayload, turnaroundSeconds: profile.turnaroundMs / 1000 };
}
