// UPDI programming speed per USB-serial adapter profile: write + verify of a full 8 KB flash image
// on the virtual ATtiny824 (`ltobms sim --adapter NAME` on a socat pty, at 115200 baud), ltobms
// against avrdude serialupdi on the same target in the same run, plus a row with no wire model at
// all (no pacing, no adapter). And link-ups: `ltobms info` N times per profile, counting the double
// BREAKs the target saw (resynchronisations). Prints figures with the machine load; asserts nothing.
//
//   npm run bench:updi                  LTOBMS_BENCH_RUNS=3 LTOBMS_BENCH_LINKUPS=50 by default
//   LTOBMS_BENCH_PROFILES='no wire model,ftdi-1ms' npm run bench:updi     only these profiles
//
// - lower bound: the bytes that must cross the wire (the 8192 image bytes going in and the 8192
//   read back, 12 bits per frame / baud) plus the round trips the protocol cannot avoid, each
//   costing the adapter's latency timer and write turnaround: link init (STATUSA), SIB, key
//   status, programming mode (SYS_STATUS after the reset), signature, and the last read-back — 6.
//   It leaves out every other protocol byte and the NVM programming time, so no programmer reaches it.
// - ltobms session: the library's own time from connect to programming mode left (the `seconds`
//   of `ltobms flash --json`); ltobms command and avrdude: wall time of the whole process, start-up
//   included. Both erase the chip first (avrdude's default for flash writes; ltobms --erase).
// - replay: ltobms's own session recorded once and its writes replayed with no host code between an
//   answer and the next write (updi-replay.ts): the wire, the adapter model, the virtual board and
//   the pty for ltobms's bytes and turnarounds — what no change to ltobms's host code can remove.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { formatIntelHex } from '../src/image/ihex.js';
import { ADAPTERS } from '../src/sim/wire/adapters.js';
import { BIN, run, startSim } from './sim-process.js';
import { recordFlash, replay } from './updi-replay.js';

const BAUD = 115200;
const IMAGE_BYTES = 8192;
const RUNS = Number(process.env.LTOBMS_BENCH_RUNS ?? 3);
const LINKUPS = Number(process.env.LTOBMS_BENCH_LINKUPS ?? 50);
/** Answers the host must wait for in any flash session (see the lower bound above). */
const UNAVOIDABLE_ROUND_TRIPS = 6;

interface Profile {
  name: string;
  /** `ltobms sim` options. */
  simArgs: string[];
  /** Latency timer + turnaround: what one round trip costs on top of the wire, in s. */
  roundTripSeconds: number;
  /** Pacing baud (0: none). */
  baud: number;
}

const ALL_PROFILES: Profile[] = [
  ...(['ideal', 'ftdi-1ms', 'ftdi', 'ch340'] as const).map((name) => ({
    name,
    simArgs: ['--adapter', name, '--baud', String(BAUD)],
    roundTripSeconds: (ADAPTERS[name].latencyMs + ADAPTERS[name].turnaroundMs) / 1000,
    baud: BAUD,
  })),
  { name: 'no wire model', simArgs: ['--baud', '0', '--latency-ms', '0'], roundTripSeconds: 0, baud: 0 },
];
const only = process.env.LTOBMS_BENCH_PROFILES?.split(',').map((s) => s.trim());
const PROFILES = only ? ALL_PROFILES.filter((p) => only.includes(p.name)) : ALL_PROFILES;

function image(): Uint8Array {
  let x = 0x2545f491;
  return Uint8Array.from({ length: IMAGE_BYTES }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  });
}

const dir = mkdtempSync(join(tmpdir(), 'ltobms-bench-updi-'));
const hex = join(dir, 'image.hex');
writeFileSync(hex, formatIntelHex([{ address: 0, data: image() }]));

const rows: string[][] = [];
const linkups: string[] = [];
const notes: string[] = [];
const loadBefore = loadavg()[0]!;
try {
  for (const profile of PROFILES) {
    const wireSeconds = profile.baud ? (2 * IMAGE_BYTES * 12) / profile.baud : 0;
    const lowerBound = wireSeconds + UNAVOIDABLE_ROUND_TRIPS * profile.roundTripSeconds;
    const sim = await startSim(profile.simArgs);
    try {
      // Best of RUNS for each programmer (the machine may be busy with other work).
      let best: { session: number; command: number; retries: number; pageMode: string } | undefined;
      let avrdudeBest: number | undefined;
      let replayBest = Infinity;
      const recorded = await recordFlash(sim.port, BAUD, image());
      for (let i = 0; i < RUNS; i++) {
        replayBest = Math.min(replayBest, await replay(sim.port, BAUD, recorded));
        const ours = await run(process.execPath, [BIN, 'flash', hex, '--erase', '--port', sim.port, '--baud', String(BAUD), '--json']);
        if (ours.code !== 0) throw new Error(`ltobms flash failed on ${profile.name}: ${ours.err}`);
        const report = JSON.parse(ours.out) as { seconds: number; verified: number; retries: number; pageMode: string };
        if (!best || ours.seconds < best.command) best = { session: report.seconds, command: ours.seconds, retries: report.retries, pageMode: report.pageMode };
        const theirs = await run('avrdude', ['-c', 'serialupdi', '-p', 't824', '-P', sim.port, '-b', String(BAUD), '-U', `flash:w:${hex}:i`]);
        if (theirs.code === 0 && /8192 bytes of flash verified/.test(theirs.err)) avrdudeBest = Math.min(avrdudeBest ?? Infinity, theirs.seconds);
        else notes.push(`avrdude on ${profile.name}: exit ${theirs.code}: ${theirs.err.trim().split('\n').slice(-3).join(' / ')}`);
      }
      rows.push([
        profile.name,
        lowerBound.toFixed(3),
        replayBest.toFixed(3),
        best!.session.toFixed(3),
        best!.command.toFixed(3),
        avrdudeBest !== undefined ? avrdudeBest.toFixed(3) : 'failed',
        lowerBound > 0 ? (best!.session / lowerBound).toFixed(2) : '-',
        avrdudeBest !== undefined ? (avrdudeBest / best!.command).toFixed(2) : '-',
      ]);
      if (best!.retries) notes.push(`ltobms on ${profile.name}: ${best!.retries} retries`);
      if (best!.pageMode !== 'pipelined') notes.push(`ltobms on ${profile.name}: pages written in ${best!.pageMode} mode`);
      // Link-ups: every `ltobms info` must come up without a double BREAK.
      const before = sim.breaks();
      let failed = 0;
      for (let i = 0; i < LINKUPS; i++) if ((await run(process.execPath, [BIN, 'info', '--port', sim.port, '--json'])).code !== 0) failed++;
      await new Promise((r) => setTimeout(r, 200)); // the last events on their way
      linkups.push(`${profile.name}: ${LINKUPS} link-ups, ${sim.breaks() - before} BREAKs seen by the target, ${failed} failed`);
    } finally {
      await sim.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const head = ['profile', 'lower bound s', 'replay s', 'ltobms session s', 'ltobms command s', 'avrdude s', 'session / bound', 'avrdude / ltobms'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(`UPDI write + verify of ${IMAGE_BYTES} B flash at ${BAUD} baud, chip erase first; best of ${RUNS} runs each (by command time); load average ${loadBefore.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end`);
console.log(line(head));
for (const r of rows) console.log(line(r));
for (const l of linkups) console.log(`link-up: ${l}`);
for (const n of notes) console.log(`note: ${n}`);
console.log('goals: ltobms command ≥ 2 × faster than avrdude on every adapter profile, ≤ avrdude with no wire model; 0 BREAKs in link-ups');
