/**
 * The one registry of child processes a test file starts (ltobms sim, avrdude, ltobms commands).
 * Each test file runs in its own process; a child left running (a test that failed before its
 * `stop`) keeps that process, and the whole suite, waiting on its pipes. Every tracked child is
 * killed when the file's tests are over, and at exit.
 *
 *   const child = track(spawn(...));   // untracked by itself when it exits
 */
import type { ChildProcess } from 'node:child_process';
import { after } from 'node:test';

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  live.clear();
}

// Registered when this module is first imported, at the top level of a test file: a hook of the
// file's root, run after its last test whatever happened before.
after(killAll);
process.on('exit', killAll);

/** Tracks `child` until it exits; returns it. */
export function track<T extends ChildProcess>(child: T): T {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Children still running (for tests of the helpers). */
export function liveChildren(): number {
  return live.size;
}
