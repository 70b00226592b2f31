/**
 * `npm run bench:manufacture`: boards per hour for 1, 2 and 4 fixtures driven from one process
 * (gang programming: one station per fixture, one ledger), on virtual fixtures that swap their
 * own boards (`ltobms sim --fixture`: 0.3 s with the socket empty between boards) with the wire
 * model on (115200 baud, 1 ms adapter latency: what a real FTDI adapter and an ATtiny824 would
 * cost). Each fixture is a process of its own, as each real fixture is hardware of its own; the
 * stations all run in this one. The yardstick is the single fixture measured in the same run:
 * 4 fixtures should make at least 3.5× its boards per hour. Prints the machine's load average
 * and this process's CPU time with the figures.
 *
 * Environment: BOARDS (per fixture, default 5), BAUD (default 115200), FIXTURES (default "1,2,4").
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildFirmware } from '../src/firmware/firmware.js';
import { CHEMISTRY } from '../src/part/chemistry.js';
import { encodeConfig } from '../src/eeprom/image.js';
import { fuseHex, loadFirmware, loadFuses, type FirmwareInfo, type FuseSource } from '../src/production/firmware.js';
import { FileLedger } from '../src/production/ledger-file.js';
import { BoardBudget, Station } from '../src/workflows/station.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BOARDS = Number(process.env.BOARDS ?? 5);
const BAUD = Number(process.env.BAUD ?? 115200);
const FIXTURES = (process.env.FIXTURES ?? '1,2,4').split(',').map(Number);

const dir = mkdtempSync(join(tmpdir(), 'ltobms-bench-manufacture-'));
const build = await buildFirmware({ chemistry: 'LTO', version: 'bench', outDir: join(dir, 'build') });
const firmware = await loadFirmware(build.artifacts.hex);
const fuses = await loadFuses(undefined, firmware.file);

interface GangResult {
  fixtures: number;
  boards: number;
  ok: number;
  seconds: number;
  /** CPU time of this process (stations and virtual fixtures) over the run. */
  cpuSeconds: number;
  perHour: number;
  programMs: number[];
}

const BIN = fileURLToPath(new URL('../../bin/ltobms', import.meta.url));

/** `ltobms sim --fixture BOARDS` in a child process; resolves with its UPDI port once it serves. */
function startFixture(serial: string): Promise<{ portPath: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [BIN, 'sim', '--fixture', String(BOARDS), '--serial', serial, '--baud', String(BAUD), '--latency-ms', '1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`ltobms sim --fixture exited (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ portPath: line.replace(/^updi: /, ''), child }));
  });
}

async function gang(fixtures: number, firmware: FirmwareInfo, fuses: FuseSource): Promise<GangResult> {
  const lines = await Promise.all(Array.from({ length: fixtures }, (_, f) => startFixture(`30413741343200${fixtures}${f}0001`)));
  const ledger = FileLedger.open(join(dir, `ledger-${fixtures}.jsonl`), 1);
  const budget = new BoardBudget(fixtures * BOARDS);
  const programMs: number[] = [];
  const stations = lines.map(
    (line) =>
      new Station({
        port: line.portPath,
        baud: BAUD,
        timeoutMs: 250,
        job: { firmware, fuses, eepromFor: (sn) => encodeConfig({ serialNumber: sn, tempOffset: 0, ...CHEMISTRY.LTO.defaults }) },
        renumber: false,
        ledger,
        entryBase: { firmware: { file: firmware.file, sha256: firmware.sha256, version: firmware.version }, chemistry: 'LTO', fuses: fuseHex(fuses.values) },
        count: budget,
        signal: new AbortController().signal,
        decide: async () => 'next',
        onEvent: (e) => {
          if (e.type === 'ok') programMs.push(e.result.ms);
          if (e.type === 'failed') console.error(`failed on ${line.portPath}: ${e.failure.error.message}`);
        },
      }),
  );
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summaries = await Promise.all(stations.map((s) => s.run()));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await ledger.close();
  for (const l of lines) {
    l.child.removeAllListeners('exit');
    l.child.kill('SIGTERM');
  }
  const ok = summaries.reduce((n, s) => n + s.ok, 0);
  return { fixtures, boards: fixtures * BOARDS, ok, seconds, cpuSeconds, perHour: (3600 * ok) / seconds, programMs };
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`firmware: ${firmware.flashBytes} B flash; wire ${BAUD} baud, 1 ms latency; ${BOARDS} boards per fixture, 0.3 s swaps`);
console.log(`load average before: ${load()}`);
const results: GangResult[] = [];
for (const n of FIXTURES) {
  const r = await gang(n, firmware, fuses);
  results.push(r);
  const mean = r.programMs.reduce((a, b) => a + b, 0) / Math.max(1, r.programMs.length) / 1000;
  console.log(
    `${n} fixture${n === 1 ? ' ' : 's'}: ${r.ok}/${r.boards} boards ok in ${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s) → ${Math.round(r.perHour)} boards/hour ` +
      `(programming ${mean.toFixed(2)} s per board, detect → verify; load ${load()})`,
  );
}
const one = results.find((r) => r.fixtures === 1);
for (const r of results) if (one && r !== one) console.log(`${r.fixtures} fixtures / 1: ${(r.perHour / one.perHour).toFixed(2)}×${r.fixtures === 4 ? ' (goal ≥ 3.5×)' : ''}`);
