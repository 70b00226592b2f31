// The wire model on a hand-driven clock: echo order, 8E2 pacing (12 bits per byte), the target's
// guard time, the adapter's latency timer and packet size, and fault injection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../src/sim/wire/clock.js';
import { FaultInjector, parseFaultSpec } from '../../../src/sim/wire/faults.js';
import { UpdiWire } from '../../../src/sim/wire/wire.js';
import { createUpdiSimulator } from '../../../src/sim/updi/simulator.js';
import { UsageError } from '../../../src/errors.js';
import { ADAPTERS, adapterProfile, adapterWire } from '../../../src/sim/wire/adapters.js';

interface Arrival {
  t: number;
  bytes: number[];
}

function pacedSim(baud: number, latencySeconds: number) {
  const clock = new ManualClock();
  const arrivals: Arrival[] = [];
  const sim = createUpdiSimulator({
    clock,
    baud,
    latencySeconds,
    toHost: (bytes) => arrivals.push({ t: clock.now(), bytes: [...bytes] }),
  });
  return { clock, arrivals, sim };
}

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} s, expected ${expected} s`);

test('pacing at 115200 baud: 12 bit times per byte, the reply after 128 guard bits, echo first', () => {
  const { clock, arrivals, sim } = pacedSim(115200, 0);
  const bit = 1 / 115200;
  sim.hostWrite(Uint8Array.of(0x00)); // enable pulse
  clock.runAll();
  arrivals.length = 0;
  const t0 = clock.now();
  sim.hostWrite(Uint8Array.of(0x55, 0x80)); // LDCS STATUSA
  clock.runAll();
  assert.deepEqual(arrivals.map((a) => a.bytes), [[0x55], [0x80], [0x30]]);
  near(arrivals[0].t - t0, 12 * bit, 'echo of SYNCH');
  near(arrivals[1].t - t0, 24 * bit, 'echo of LDCS');
  near(arrivals[2].t - t0, (24 + 128 + 12) * bit, 'reply: guard time (GTVAL 0 = 128 bits) + one frame');
});

test('the adapter latency timer delivers bytes in one chunk when it expires, or at once when a USB packet fills', () => {
  const { clock, arrivals, sim } = pacedSim(0, 0.001);
  sim.hostWrite(Uint8Array.of(0x00, 0x55, 0x80));
  assert.equal(arrivals.length, 0, 'held in the adapter');
  clock.advance(0.0009);
  assert.equal(arrivals.length, 0);
  clock.advance(0.0002);
  assert.deepEqual(arrivals.map((a) => a.bytes), [[0x00, 0x55, 0x80, 0x30]]);
  near(arrivals[0].t, 0.001, 'latency expiry');
  arrivals.length = 0;
  // 70 bytes of echo: the first 62 fill a packet and go at once, the rest wait for the timer.
  sim.hostWrite(new Uint8Array(70).fill(0x80));
  assert.deepEqual(arrivals.map((a) => a.bytes.length), [62]);
  clock.advance(0.002);
  assert.deepEqual(arrivals.map((a) => a.bytes.length), [62, 8]);
});

test('the line is half duplex: a burst of host bytes delays the reply until it has been sent', () => {
  const { clock, arrivals, sim } = pacedSim(230400, 0);
  const bit = 1 / 230400;
  sim.hostWrite(Uint8Array.of(0x00));
  clock.runAll();
  sim.hostWrite(Uint8Array.of(0x55, 0xc2, 0x06)); // GTVAL 6: 2 guard bits
  clock.runAll();
  arrivals.length = 0;
  const t0 = clock.now();
  // LDS word then, queued behind it on the line, 10 more bytes of a stray burst.
  sim.hostWrite(Uint8Array.of(0x55, 0x05, 0x00, 0x11, 0x55, 0xc2, 0x06, 0x55, 0xc2, 0x06, 0x55, 0xc2, 0x06, 0x55));
  clock.runAll();
  const all = arrivals.flatMap((a) => a.bytes.map((b) => ({ b, t: a.t })));
  assert.equal(all.length, 16);
  const reply = all.slice(14);
  assert.deepEqual(reply.map((x) => x.b), [0x1e, 0x93]);
  near(reply[0].t - t0, (14 * 12 + 12) * bit, 'reply waits for the line, then one frame');
  near(reply[1].t - t0, (14 * 12 + 24) * bit, 'second byte back to back (IBDLY off)');
});

test('fault spec parsing: probabilities, delay, seed; errors are usage errors', () => {
  const c = parseFaultSpec('drop=0.01,corrupt=0.02,delay=0.03,delayms=5,seed=42');
  assert.deepEqual(c, { drop: 0.01, corrupt: 0.02, delay: 0.03, delaySeconds: 0.005, seed: 42 });
  assert.ok(Number.isInteger(parseFaultSpec('drop=0.1').seed), 'a random seed when none is given');
  for (const bad of ['drop', 'drop=x', 'drop=1.5', 'jitter=0.1', 'drop=0.6,corrupt=0.6', 'seed=-1', 'delayms=0']) {
    assert.throws(() => parseFaultSpec(bad), UsageError, bad);
  }
});

test('fault injection is deterministic for a seed and follows the probabilities', () => {
  const config = parseFaultSpec('drop=0.1,corrupt=0.1,delay=0.1,seed=7');
  const a = new FaultInjector(config);
  const b = new FaultInjector(config);
  const runA = Array.from({ length: 5000 }, () => a.next());
  const runB = Array.from({ length: 5000 }, () => b.next());
  assert.deepEqual(runA, runB);
  const other = new FaultInjector({ ...config, seed: 8 });
  assert.notDeepEqual(Array.from({ length: 5000 }, () => other.next()), runA);
  for (const kind of ['drop', 'corrupt', 'delay'] as const) {
    const n = a.counts[kind];
    assert.ok(n > 400 && n < 600, `${kind}: ${n} of 5000 at p = 0.1`);
  }
  assert.ok(runA.every((d) => d.kind !== 'corrupt' || (d.bit >= 0 && d.bit < 8)));
});

test('a dropped host byte is still echoed but never reaches the target; a corrupted one arrives with a parity error', () => {
  const clock = new ManualClock();
  const toHost: number[] = [];
  const got: Array<[number, boolean]> = [];
  const drop = new UpdiWire({ clock, toHost: (b) => toHost.push(...b), faults: new FaultInjector({ ...parseFaultSpec('drop=1,seed=1') }) });
  drop.connect({ receive: (b, p) => got.push([b, p]) });
  drop.fromHost(Uint8Array.of(0x55, 0x80));
  assert.deepEqual(toHost, [0x55, 0x80]);
  assert.equal(got.length, 0, "nothing reached the target");
  const corrupt = new UpdiWire({ clock, toHost: () => {}, faults: new FaultInjector(parseFaultSpec('corrupt=1,seed=3')) });
  corrupt.connect({ receive: (b, p) => got.push([b, p]) });
  corrupt.fromHost(Uint8Array.of(0x55));
  assert.equal(got.length, 1);
  assert.equal(got[0][1], true, 'parity error flagged');
  const flipped = got[0][0] ^ 0x55;
  assert.ok(flipped !== 0 && (flipped & (flipped - 1)) === 0, 'exactly one bit flipped');
});

test('a delay fault stalls the line for delayms before the byte', () => {
  const clock = new ManualClock();
  const times: number[] = [];
  const wire = new UpdiWire({
    clock,
    baud: 10000,
    toHost: () => times.push(clock.now()),
    faults: new FaultInjector(parseFaultSpec('delay=1,delayms=20,seed=1')),
  });
  wire.connect({ receive: () => {} });
  wire.fromHost(Uint8Array.of(0x55));
  clock.runAll();
  near(times[0], 0.02 + 12 / 10000, 'stall + one frame');
});

test('adapter profiles: packet size per chip, the write turnaround before host bytes reach the line, 16 ms for an FTDI out of the box', () => {
  const clock = new ManualClock();
  const arrivals: Arrival[] = [];
  // An unpaced wire, so only the adapter shapes the timing.
  const sim = createUpdiSimulator({ clock, ...adapterWire(ADAPTERS.ch340), toHost: (bytes) => arrivals.push({ t: clock.now(), bytes: [...bytes] }) });
  // 40 bytes of echo on a CH340: they reach the line 1 ms (one USB frame) after the write; a full
  // 32-byte packet goes up at once, the other 8 when the 1 ms timer expires.
  sim.hostWrite(new Uint8Array(40).fill(0x80));
  clock.runAll();
  assert.deepEqual(arrivals.map((a) => a.bytes.length), [32, 8]);
  near(arrivals[0].t, 0.001, 'first packet: after the turnaround');
  near(arrivals[1].t, 0.002, 'rest: latency timer from the first waiting byte');
  assert.equal(ADAPTERS.ftdi.latencyMs, 16);
  assert.equal(ADAPTERS['ftdi-1ms'].latencyMs, 1);
  assert.equal(ADAPTERS.cp210x.packetPayload, 64);
  assert.deepEqual(adapterWire(ADAPTERS.ideal), { latencySeconds: 0, packetPayload: Infinity, turnaroundSeconds: 0 });
  assert.equal(adapterProfile('ftdi')?.packetPayload, 62);
  assert.equal(adapterProfile('pl2303'), undefined);
});
