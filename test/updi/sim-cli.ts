/**
 * The programming commands' end-to-end harness: a real `ltobms sim` (on a pseudo-terminal, with a
 * state file) and the real `bin/ltobms` against it. What landed in the part is read from the
 * simulator's own state file (its memories, saved when a programming session ends), never from
 * ltobms' reports.
 *
 *   const work = simWorkspace('ltobms-updi-cli-');        a temp folder, removed after the file's tests
 *   const sim = await work.startSim((m) => m.eeprom.fill(0x5a));
 *   const r = await work.ltobms(['fuses', '--set', 'WDTCFG=0x7a'], sim);
 *   await sim.saved(r.from); sim.memories().fuses
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli, type CliResult } from '../helpers/cli.js';
import { startSim as startSimProcess, type SimProcess } from '../helpers/sim.js';
import { NvmMemories } from '../../src/sim/nvm/memories.js';

/** The skip reason of tests that need `ltobms sim`'s pty (made with socat), or false. */
export const simSkip: string | false = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0 ? false : 'socat is not installed';

export interface Sim {
  proc: SimProcess;
  state: string;
  /** The memories as the simulator saved them after the last session. */
  memories(): NvmMemories;
  /** Waits for the save that follows the end of a programming session. */
  saved(from: number): Promise<void>;
}

export interface SimWorkspace {
  dir: string;
  /** A file in the workspace with that content; its path. */
  file(name: string, data: string | Uint8Array): string;
  /** A virtual board whose memories `prepare` set up first (factory-fresh without). */
  startSim(prepare?: (m: NvmMemories) => void): Promise<Sim>;
  /** bin/ltobms with `args`, on the sim's port when one is given; `from` = the sim's line count before. */
  ltobms(args: string[], sim?: Sim): Promise<CliResult & { from: number }>;
}

export function simWorkspace(prefix: string): SimWorkspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let counter = 0;
  return {
    dir,
    file(name, data) {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
    async startSim(prepare) {
      const state = join(dir, `state-${++counter}.json`);
      if (prepare) {
        const m = new NvmMemories();
        prepare(m);
        m.save(state);
      }
      // Paced at the programmer's baud rate, like a real wire: a page's read-back then takes longer
      // than its programming on the target's own clock, however late either process runs. Unpaced,
      // whether the programmer's timing checks catch the difference depends on the machine's load.
      const proc = await startSimProcess(['--baud', '115200', '--latency-ms', '0', '--state', state, '--json']);
      return {
        proc,
        state,
        memories: () => NvmMemories.fromFile(state),
        saved: async (from) => void (await proc.waitForEvent((e) => e.event === 'saved' && e.reason === 'session-end', from)),
      };
    },
    async ltobms(args, sim) {
      const from = sim?.proc.lines.length ?? 0;
      // Two real processes on a pty run on the wall clock: a loaded machine can hold either one up
      // for longer than the default 250 ms answer timeout, and a retry would show in the summary.
      // No test here waits for a timeout, so a long one costs nothing.
      const r = await runCli([...args, ...(sim ? ['--port', sim.proc.port, '--timeout', '2000'] : [])], { timeoutMs: 60_000 });
      return { ...r, from };
    },
  };
}
