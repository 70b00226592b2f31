/**
 * The real `ltobms sim` (bin/ltobms) as a child process, the one way tests start it:
 *
 *   const sim = await startSim(['--baud', '0', '--state', file, '--json']);
 *   sim.updi, sim.uart            the two ports from its first two stdout lines (`updi:`, `uart:`)
 *   await sim.waitForEvent((e) => e.event === 'saved', from)   a JSON event line (with --json)
 *   const { code } = await sim.stop('SIGTERM')
 *
 * The child is registered (helpers/children.ts), so a failing test never leaves it running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, REPO_ROOT } from './cli.js';
import { track } from './children.js';

export type SimJsonEvent = Record<string, unknown> & { event: string };
export interface SimExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SimProcess {
  /** The UPDI port (the pty, or the --link path). */
  readonly updi: string;
  /** Same as `updi`: the port a programmer opens. */
  readonly port: string;
  readonly uart: string;
  readonly child: ChildProcess;
  /** Every stdout line after the two port lines. */
  readonly lines: string[];
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<SimExit>;
  /** The first JSON event line at index ≥ `from` (in `lines`) that matches. */
  waitForEvent(match: (e: SimJsonEvent) => boolean, from?: number, timeoutMs?: number): Promise<SimJsonEvent>;
  stop(signal?: NodeJS.Signals): Promise<SimExit>;
}

export interface StartSimOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the port lines (default 10 s). */
  timeoutMs?: number;
}

export function startSim(args: string[], options: StartSimOptions = {}): Promise<SimProcess> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const child = track(
    spawn(process.execPath, [BIN, 'sim', ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const exited = new Promise<SimExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stdout = '';
  let stderr = '';
  let partial = '';
  const head: string[] = [];
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<SimProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ltobms sim printed no ports within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      if (head.length < 2) reject(new Error(`ltobms sim exited (${code}) before its ports; stderr: ${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      partial += text;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        if (head.length === 2) {
          lines.push(line);
          for (const w of waiters) w();
          continue;
        }
        head.push(line);
        const want = head.length === 1 ? /^updi: (.+)$/ : /^uart: (.+)$/;
        if (!want.test(line)) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          return reject(new Error(`unexpected line ${head.length} from ltobms sim: ${line}`));
        }
        if (head.length === 2) {
          clearTimeout(timer);
          resolve(handle(head[0]!.slice('updi: '.length), head[1]!.slice('uart: '.length)));
        }
      }
    });
  });

  function handle(updi: string, uart: string): SimProcess {
    const events = (from: number) =>
      lines.slice(from).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as SimJsonEvent);
    return {
      updi,
      port: updi,
      uart,
      child,
      lines,
      stdout: () => stdout,
      stderr: () => stderr,
      exited,
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
