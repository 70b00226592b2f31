/**
 * `ltobms sim --fixture N`: a programming fixture that swaps its own virtual boards (see
 * src/sim/fixture/board-line.ts), to rehearse a production line from the command line. Prints
 * `updi: <path>` first, then one line per board put on / taken off (stderr, or JSON lines on stdout
 * with --json); serves until Ctrl-C or SIGTERM. SIGUSR1 takes the board off by hand.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { ExitCode, UsageError } from '../errors.js';
import { DEFAULT_SERIAL_NUMBER } from '../sim/nvm/memories.js';
import { BoardLine, numberedBoards, type BoardLineEvent } from '../sim/fixture/board-line.js';

export interface FixtureCliOptions {
  fixture: string;
  stateDir?: string;
  baud: number;
  latencyMs: number;
  link?: string;
  json: boolean;
  /** --serial: the first board's unique ID; the others count up from it. */
  serialNumber?: Uint8Array;
  /** Options of `ltobms sim` that make no sense for a fixture, if given. */
  conflicting: string[];
}

const MAX_BOARDS = 10_000;

function boardCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_BOARDS) {
    throw new UsageError(`--fixture ${text}: expected a number of boards from 1 to ${MAX_BOARDS}`, { code: 'USAGE', hint: 'e.g. --fixture 20' });
  }
  return n;
}

/**
 * The first unique ID: --serial, else random (two fixtures rehearsing one line must not present
 * the same chips), shaped like a real one (the default's first 6 bytes).
 */
function firstUid(given: Uint8Array | undefined): Uint8Array {
  if (given) return given;
  const uid = Uint8Array.from(DEFAULT_SERIAL_NUMBER);
  uid.set(randomBytes(4), 6);
  return uid;
}

function describe(e: BoardLineEvent): string | undefined {
  switch (e.type) {
    case 'on':
      return `fixture: board ${e.index + 1}/${e.count} on: ${e.uid}`;
    case 'off':
      return `fixture: board ${e.index + 1}/${e.count} off (${e.reason}): ${e.uid}`;
    case 'empty':
      return `fixture: empty, all ${e.count} boards done`;
    case 'save-failed':
      return `fixture: warning: ${e.error.message}`;
    case 'saved':
      return undefined;
  }
}

export async function serveFixture(o: FixtureCliOptions, signal: AbortSignal): Promise<void> {
  if (!o.fixture) throw new UsageError('--state-dir keeps the boards of a fixture: give --fixture N too', { code: 'USAGE', hint: 'for one board use --state FILE' });
  const count = boardCount(o.fixture);
  if (o.conflicting.length) {
    throw new UsageError(`--fixture serves blank boards for programming; ${o.conflicting.join(', ')} ${o.conflicting.length === 1 ? 'does' : 'do'} not apply`, {
      code: 'USAGE',
      hint: 'use --state-dir for the boards\' memories; --baud, --latency-ms, --link, --serial and --json work with --fixture',
    });
  }
  if (o.stateDir) mkdirSync(o.stateDir, { recursive: true });
  const render = (e: BoardLineEvent) => {
    if (o.json) process.stdout.write(JSON.stringify({ event: e.type, ...e, type: undefined, error: e.type === 'save-failed' ? e.error.message : undefined }) + '\n');
    else {
      const line = describe(e);
      if (line) process.stderr.write(line + '\n');
    }
  };
  const early: BoardLineEvent[] = [];
  let ready = false;
  const line = await BoardLine.open({
    boards: numberedBoards(firstUid(o.serialNumber), count),
    stateDir: o.stateDir,
    baud: o.baud,
    latencyMs: o.latencyMs,
    link: o.link,
    onEvent: (e) => (ready ? render(e) : early.push(e)),
  });
  const byHand = () => line.swapByHand();
  process.on('SIGUSR1', byHand);
  try {
    process.stdout.write(`updi: ${line.portPath}\n`);
    ready = true;
    early.forEach(render);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  } finally {
    process.off('SIGUSR1', byHand);
    await line.close();
  }
  // An orderly stop (SIGTERM from a supervisor or a test) is a success; Ctrl-C stays 130.
  const reason = signal.reason as Error | undefined;
  if (reason?.message?.includes('SIGTERM')) process.exitCode = ExitCode.ok;
}
