// The adapter pulled mid-job: `ltobms sim` killed (SIGKILL, so socat closes the pty under the
// programmer) at a seeded random moment after the command's UPDI session has started, for every
// UPDI command. Whatever the moment, the command ends with one `error:` line naming the port and
// what was in progress, a hint, and exit 1 — or, if the kill came after its end, with its result.
// Never a silent exit (exit code 13: an await left unsettled). Asserts output and exit codes, not
// timing. LTOBMS_UNPLUG_ROUNDS=5 gives 30 kill times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIntelHex } from '../../../src/image/ihex.js';
import { mulberry32 } from '../../../src/sim/wire/faults.js';
import { runCli } from '../../helpers/cli.js';
import { seededBytes } from './harness.js';
import { startSim } from '../../helpers/sim.js';

const ROUNDS = Number(process.env.LTOBMS_UNPLUG_ROUNDS ?? 1);
const random = mulberry32(0x11_2026);

const dir = mkdtempSync(join(tmpdir(), 'ltobms-unplug-'));
const hex = join(dir, 'image.hex');
writeFileSync(hex, formatIntelHex([{ address: 0, data: seededBytes('unplug', 4096) }]));

/** Each command and the longest useful kill delay after its session started (ms). */
const COMMANDS: { args: string[]; spreadMs: number }[] = [
  { args: ['flash', hex, '--erase'], spreadMs: 1200 },
  { args: ['read', 'flash', '-o', join(dir, 'read.hex')], spreadMs: 600 },
  { args: ['erase'], spreadMs: 150 },
  { args: ['info'], spreadMs: 250 },
  { args: ['fuses'], spreadMs: 250 },
  { args: ['eeprom', '--sn', '7', '--write'], spreadMs: 250 },
];

test('a virtual board killed at a random moment of any UPDI command: one error naming the port and the job, a hint, exit 1', async (t) => {
  let landed = 0;
  const outcomes: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const { args, spreadMs } of COMMANDS) {
      const link = join(dir, `tty-${round}-${args[0]}`);
      const sim = await startSim(['--link', link, '--json', '--latency-ms', '1']);
      const delayMs = Math.round(random() * spreadMs);
      const command = runCli([...args, '--port', link], { timeoutMs: 30_000 });
      const started = sim.waitForEvent((e) => e.event === 'updi' && e.type === 'enabled', 0, 30_000);
      // Kill once the session is under way (or at once if the command ended before it began).
      await Promise.race([started.then(() => new Promise((r) => setTimeout(r, delayMs))), command]);
      started.catch(() => undefined);
      await sim.stop('SIGKILL');
      const r = await command;
      const what = `${args.join(' ')} killed ${delayMs} ms in: exit ${r.code}\n${r.stderr}`;
      outcomes.push(what);
      assert.notEqual(r.code, 13, `silent exit: ${what}`);
      if (r.code === 0) continue; // finished before the kill
      assert.equal(r.code, 1, what);
      // Retry notes may come first; then exactly one error line and one hint line, nothing after.
      const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^retry \d/.test(l) && !/^\s*$/.test(l) && !/[█░]/.test(l));
      assert.equal(lines.length, 2, what);
      assert.match(lines[0]!, new RegExp(`^error: .*${link.replace(/[/.]/g, '\\$&')}`), what);
      assert.match(lines[1]!, /^hint: \S/, what);
      if (/went away while \w/.test(lines[0]!)) landed++;
    }
  }
  t.diagnostic(`${landed} of ${outcomes.length} kills landed mid-job; the rest after the command's end`);
  // Most kills land mid-session (the spreads are shorter than the commands under the wire model).
  assert.ok(landed >= COMMANDS.length * ROUNDS * 0.5, `only ${landed} kills landed mid-job:\n${outcomes.join('\n')}`);
});
