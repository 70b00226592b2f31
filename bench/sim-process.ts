// Child processes for the UPDI benches: the real `bin/ltobms` (and avrdude) timed from spawn to
// exit, and `ltobms sim --json` with a count of the BREAKs its target saw.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const BIN = join(fileURLToPath(new URL('../../', import.meta.url)), 'bin', 'ltobms');

export interface Run {
  code: number | null;
  out: string;
  err: string;
  seconds: number;
}

/** Runs a program to its end: exit code, output and wall time. */
export function run(cmd: string, args: string[]): Promise<Run> {
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

export interface BenchSim {
  port: string;
  /** BREAKs (double-BREAK resyncs count two) the target has seen so far. */
  breaks(): number;
  /** SIGTERM (the sim saves its --state) and waits for the exit. */
  stop(): Promise<void>;
}

/** Starts `ltobms sim --json` with `args` and resolves once its UPDI port is there. */
export function startSim(args: string[]): Promise<BenchSim> {
  const child = spawn(process.execPath, [BIN, 'sim', '--json', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let buf = '';
    let breaks = 0;
    let port: string | undefined;
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) {
        if (line.includes('"type":"break"')) breaks++;
        const m = /^updi: (.+)$/.exec(line);
        if (m && !port) {
          port = m[1]!;
          resolve({
            port,
            breaks: () => breaks,
            stop: () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              return exited;
            },
          });
        }
      }
    });
    child.on('exit', (code) => reject(new Error(`ltobms sim exited (${code})`)));
  });
}
