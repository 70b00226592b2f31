// UPDI programming speed: write + verify of a full 8 KB flash image on the virtual ATtiny824
// (`ltobms sim` on a socat pty, wire model on: bytes paced at the baud rate, 1 ms USB adapter
// latency), ltobms against avrdude 7.1 serialupdi on the same target in the same run, at 115200
// and 230400 baud. Prints figures; asserts nothing.
//
//   npm run bench:updi
//
// - lower bound: the bytes that must cross the wire — the 8192 image bytes going in and the 8192
//   read back for verification — at 12 bits per frame (start, 8 data, parity, 2 stop) / baud. It
//   leaves out every protocol byte, echo handling, the NVM programming time (2 ms per page write on
//   the data sheet) and the adapter latency, so no programmer can reach it.
// - ltobms session: the library's own time from connect to programming mode left (the `seconds`
//   of `ltobms flash --json`); ltobms command and avrdude: wall time of the whole process, start-up
//   included. Both erase the chip first (avrdude's default for flash writes; ltobms --erase).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { formatIntelHex } from '../src/image/ihex.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'ltobms');
const BAUDS = [115200, 230400];
const LATENCY_MS = 1;
const IMAGE_BYTES = 8192;
const RUNS = 3;

interface Run {
  code: number | null;
  out: string;
  err: string;
  seconds: number;
}

function run(cmd: string, args: string[]): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** Starts `ltobms sim` and resolves with its pty path and a stop function. */
function startSim(baud: number): Promise<{ port: string; stop: () => void }> {
  const child = spawn(process.execPath, [BIN, 'sim', '--baud', String(baud), '--latency-ms', String(LATENCY_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /^updi: (.+)$/m.exec(buf);
      if (m) resolve({ port: m[1]!, stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`ltobms sim exited (${code})`)));
  });
}

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
const notes: string[] = [];
try {
  for (const baud of BAUDS) {
    const lowerBound = (2 * IMAGE_BYTES * 12) / baud;
    const sim = await startSim(baud);
    try {
      // Best of RUNS for each programmer (the machine may be busy with other work).
      let best: { session: number; command: number; retries: number; pageMode: string } | undefined;
      let avrdudeBest: number | undefined;
      for (let i = 0; i < RUNS; i++) {
        // --vdd 3.3: the data sheet allows 450 kbaud from 2.2 V (the default assumes a 1.8 V cell).
        const ours = await run(process.execPath, [BIN, 'flash', hex, '--erase', '--port', sim.port, '--baud', String(baud), '--vdd', '3.3', '--json']);
        if (ours.code !== 0) throw new Error(`ltobms flash failed at ${baud}: ${ours.err}`);
        const report = JSON.parse(ours.out) as { seconds: number; verified: number; retries: number; pageMode: string };
        if (!best || report.seconds < best.session) best = { session: report.seconds, command: ours.seconds, retries: report.retries, pageMode: report.pageMode };
        const theirs = await run('avrdude', ['-c', 'serialupdi', '-p', 't824', '-P', sim.port, '-b', String(baud), '-U', `flash:w:${hex}:i`]);
        if (theirs.code === 0 && /8192 bytes of flash verified/.test(theirs.err)) avrdudeBest = Math.min(avrdudeBest ?? Infinity, theirs.seconds);
        else notes.push(`avrdude at ${baud}: exit ${theirs.code}: ${theirs.err.trim().split('\n').slice(-3).join(' / ')}`);
      }
      rows.push([
        String(baud),
        lowerBound.toFixed(3),
        best!.session.toFixed(3),
        best!.command.toFixed(3),
        avrdudeBest !== undefined ? avrdudeBest.toFixed(3) : 'failed',
        (best!.session / lowerBound).toFixed(2),
        avrdudeBest !== undefined ? (avrdudeBest / best!.command).toFixed(2) : '-',
      ]);
      if (best!.retries) notes.push(`ltobms at ${baud}: ${best!.retries} retries`);
      if (best!.pageMode !== 'pipelined') notes.push(`ltobms at ${baud}: pages written in ${best!.pageMode} mode`);
    } finally {
      sim.stop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const head = ['baud', 'lower bound s', 'ltobms session s', 'ltobms command s', 'avrdude s', 'session / bound', 'avrdude / ltobms'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
console.log(`UPDI write + verify of ${IMAGE_BYTES} B flash, chip erase first; wire model ${LATENCY_MS} ms adapter latency; best of ${RUNS} runs each`);
console.log(line(head));
for (const r of rows) console.log(line(r));
for (const n of notes) console.log(`note: ${n}`);
console.log('goals: session ≤ 1.3 × lower bound; ltobms command ≥ 2 × faster than avrdude');
