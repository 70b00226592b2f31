/**
 * The real avrdude against `ltobms sim` (started with test/helpers/sim.ts), and bytes for it:
 *
 *   const r = await avrdude(sim.port, ['-U', 'flash:w:img.bin:r'])   → { code, output, seconds }
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { track } from '../../helpers/children.js';

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
