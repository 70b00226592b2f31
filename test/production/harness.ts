/**
 * Driving `ltobms manufacture` (the real CLI, in a child process) against a virtual programming
 * fixture in this process: swap boards when the station says so, watch its stderr lines, kill it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import { buildFirmware, type FirmwareBuild } from '../../src/firmware/firmware.js';
import { decodeConfig } from '../../src/eeprom/image.js';

/** One real firmware build per test file (about a second with the toolchain). */
export async function buildTestFirmware(chemistry: 'LTO' | 'NAION' = 'LTO'): Promise<FirmwareBuild> {
  const outDir = mkdtempSync(join(tmpdir(), 'ltobms-prod-fw-'));
  return buildFirmware({ chemistry, version: 'v9.8.7-test', outDir });
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** stderr lines so far. */
  readonly lines: string[];
  stdout(): string;
  /** Resolves with the first line matching `re` after line index `from` (default: any). Returns its index. */
  waitFor(re: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<number>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  let out = '';
  const waiters = new Set<() => void>();
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const w of [...waiters]) w();
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => (out += text));
  if (options.input !== undefined) child.stdin.end(options.input);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      for (const w of [...waiters]) w();
      resolve({ code, signal });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    lines,
    stdout: () => out,
    exited,
    waitFor(re, { from = 0, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const i = lines.findIndex((l, n) => n >= from && re.test(l));
          if (i >= 0) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(i);
          } else if (done) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`the CLI exited before printing ${re}; stderr:\n${lines.join('\n')}${partial}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${re}; stderr:\n${lines.join('\n')}${partial}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** 10 bytes shaped like a real part's serial number, distinct per `n`. */
export function uidFor(n: number): Uint8Array {
  return Uint8Array.from([0x30, 0x41, 0x37, 0x41, 0x34, 0x32, 0x0c, 0x3f, 0x50 + (n >> 8), n & 0xff]);
}

/** One event line of `ltobms sim --fixture N --json`. */
export interface FixtureLineEvent {
  event: 'on' | 'off' | 'saved' | 'save-failed' | 'empty';
  uid?: string;
  index?: number;
  reason?: string;
}

export interface RunningFixture {
  /** The UPDI pseudo-terminal the fixture serves. */
  port: string;
  serial: string;
  cli: RunningCli;
  events(): FixtureLineEvent[];
  waitForEvent(match: (e: FixtureLineEvent) => boolean, timeoutMs?: number): Promise<FixtureLineEvent>;
}

/**
 * Starts `ltobms sim --fixture N` in a child process (stopped with SIGTERM when the test ends) and
 * waits for its `updi:` line. No wire model unless `baud` is given: the tests want turns, not timing.
 */
export async function startFixture(
  t: { after(fn: () => unknown): void },
  o: { count: number; stateDir: string; serial: string; json?: boolean; baud?: number },
): Promise<RunningFixture> {
  const cli = startCli(['sim', '--fixture', String(o.count), '--state-dir', o.stateDir, '--serial', o.serial, '--json', '--baud', String(o.baud ?? 0), '--latency-ms', o.baud ? '1' : '0']);
  t.after(async () => {
    cli.child.kill('SIGTERM');
    await cli.exited;
  });
  const lines = () => cli.stdout().split('\n');
  const events = () => lines().filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as FixtureLineEvent).filter((e) => e.event !== 'saved');
  const deadline = Date.now() + 20_000;
  while (!lines()[0]?.startsWith('updi: ') || !cli.stdout().includes('\n')) {
    if (Date.now() > deadline) throw new Error(`sim --fixture did not start: ${cli.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port: lines()[0]!.slice('updi: '.length),
    serial: o.serial,
    cli,
    events,
    async waitForEvent(match, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = events().find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error(`fixture event not seen; events: ${JSON.stringify(events())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The boards a fixture saved in `dir` (`<uid>.json`): unique ID and the serial number in their EEPROM (null if none). */
export function boardsIn(dir: string): { uid: string; sn: number | null }[] {
  return readdirSync(dir)
    .filter((f) => /^[0-9a-f]{20}\.json$/.test(f))
    .sort()
    .map((f) => {
      const state = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { eeprom: string };
      const config = decodeConfig(Buffer.from(state.eeprom, 'hex'));
      return { uid: f.slice(0, 20), sn: config.magicValid && config.crcValid ? config.config.serialNumber : null };
    });
}
