/**
 * Runs the real `ltobms sim` (bin/ltobms) and the real avrdude against it, for end-to-end tests.
 *
 *   const sim = await startSimCli(['--baud', '0', '--state', file, '--json']);
 *   sim.port                      the pty (or --link) path from the first stdout line
 *   await sim.waitForEvent((e) => e.event === 'saved', from)   a JSON event line (with --json)
 *   const { code } = await sim.stop('SIGTERM')
 *   const r = await avrdude(sim.port, ['-U', 'flash:w:img.bin:r'])   → { code, output, seconds }
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { BIN, REPO_ROOT } from '../../helpers/cli.js';
import { track } from '../../helpers/children.js';

export type SimJsonEvent = Record<string, unknown> & { event: string };

export interface SimProcess {
  readonly port: string;
  readonly child: ChildProcess;
  /** Every stdout line after the first. */
  readonly lines: string[];
  stderr(): string;
  /** The first JSON event line at index ≥ `from` (in `lines`) that matches. */
  waitForEvent(match: (e: SimJsonEvent) => boolean, from?: number, timeoutMs?: number): Promise<SimJsonEvent>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startSimCli(args: string[], timeoutMs = 10_000): Promise<SimProcess> {
  const child = track(
    spawn(process.execPath, [BIN, 'sim', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stderr = '';
  let partial = '';
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let first: string | undefined;
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<SimProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ltobms sim printed no first line within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (first === undefined) reject(new Error(`ltobms sim exited (${code}) before its first line; stderr: ${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        if (first === undefined) {
          first = line;
          clearTimeout(timer);
          const m = /^updi: (.+)$/.exec(line);
          if (!m) {
            child.kill('SIGKILL');
            return reject(new Error(`unexpected first line: ${line}`));
          }
          resolve(handle(m[1]));
        } else {
          lines.push(line);
          for (const w of waiters) w();
        }
      }
    });
  });

  function handle(port: string): SimProcess {
    const events = (from: number) =>
      lines.slice(from).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SimJsonEvent);
    return {
      port,
      child,
      lines,
      stderr: () => stderr,
      waitForEvent(match, from = 0, timeout = 10_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            const hit = events(from).find(match);
            if (hit) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(hit);
            }
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`no matching sim event within ${timeout} ms; events: ${lines.join(' | ')}`));
          }, timeout);
          waiters.add(check);
          check();
        });
      },
      async stop(signal: NodeJS.Signals = 'SIGTERM') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
  }
}

export function avrdudeAvailable(): boolean {
  return spawnSync('avrdude', ['-?'], { stdio: 'ignore' }).error === undefined;
}

export interface AvrdudeResult {
  code: number | null;
  output: string;
  seconds: number;
}

/** `avrdude -c serialupdi -p t824 -P <port> -b <baud> <args>`, output (stderr) captured. */
export function avrdude(port: string, args: string[], options: { baud?: number; timeoutMs?: number } = {}): Promise<AvrdudeResult> {
  const argv = ['-c', 'serialupdi', '-p', 't824', '-P', port, '-b', String(options.baud ?? 115200), ...args];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = track(spawn('avrdude', argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: `$ avrdude ${argv.join(' ')}\n${output}`, seconds: (performance.now() - start) / 1000 });
    });
  });
}

/** Reproducible pseudo-random bytes (SHA-256 in counter mode). */
export function seededBytes(seed: string, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0, block = 0; i < length; block++) {
    const digest = createHash('sha256').update(`${seed}:${block}`).digest();
    out.set(digest.subarray(0, Math.min(digest.length, length - i)), i);
    i += digest.length;
  }
  return out;
}

/** Writes `send` to the pty in one write and reads until `expect` bytes came back (echo + answers), for 5 s at most. */
export async function exchange(port: string, send: number[], expect: number): Promise<number[]> {
  const fh = await open(port, 'r+');
  try {
    await fh.write(Uint8Array.from(send));
    const got: number[] = [];
    const buf = Buffer.alloc(256);
    const deadline = Date.now() + 5000;
    while (got.length < expect && Date.now() < deadline) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      got.push(...buf.subarray(0, bytesRead));
    }
    return got;
  } finally {
    await fh.close();
  }
}
