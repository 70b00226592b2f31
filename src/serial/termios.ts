/**
 * A pseudo-terminal keeps its terminal settings after we close it, and the next program may trip
 * over them: glibc's tcsetattr reports EINVAL to avrdude when a pty is left at exactly 8-N-2 with
 * CLOCAL (the kernel drops PARENB on ptys). Like avrdude, put back what we found. Real serial
 * ports are left alone.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';

/** The pty device behind `path` (following links), or undefined for anything else. */
export function ptyDevice(path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return real.startsWith('/dev/pts/') ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The settings of the pty at `path` in `stty -g` form; undefined for anything but a pty. */
export function savePtyTermios(path: string): string | undefined {
  const real = ptyDevice(path);
  if (!real) return undefined;
  const r = spawnSync('stty', ['-g', '-F', real], { encoding: 'utf8', timeout: 2000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The same without blocking: the caller loads its serial library meanwhile. */
export function readPtyTermios(path: string): Promise<string | undefined> {
  const real = ptyDevice(path);
  if (!real) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile('stty', ['-g', '-F', real], { encoding: 'utf8', timeout: 2000 }, (err, stdout) => resolve(err ? undefined : stdout.trim()));
  });
}

export function restorePtyTermios(path: string, saved: string): void {
  spawnSync('stty', ['-F', path, saved], { stdio: 'ignore', timeout: 2000 });
}

/** The same without waiting for it: for a process that serves the pty and must not stall. */
export function restorePtyTermiosInBackground(path: string, saved: string): void {
  const child = spawn('stty', ['-F', path, saved], { stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
}
