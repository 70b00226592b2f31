/** `ltobms sim` as a child process: its first two lines (updi:, uart:), stderr, and its exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, REPO_ROOT } from '../../helpers/cli.js';

export interface SimChild {
  readonly updi: string;
  readonly uart: string;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startSimChild(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<SimChild> {
  const child = spawn(process.execPath, [BIN, 'sim', ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ltobms sim printed no ports in time; stderr: ${stderr}`));
    }, options.timeoutMs ?? 10_000);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`ltobms sim exited (${code}) before its ports; stderr: ${stderr}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^updi: (\S+)\nuart: (\S+)\n/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        updi: m[1]!,
        uart: m[2]!,
        child,
        stdout: () => stdout,
        stderr: () => stderr,
        exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}
