/**
 * `npm run bench:manufacture`: how many boards an hour one station programs, on the virtual
 * fixture with the wire model on (115200 baud, 1 ms adapter latency: what a real FTDI adapter and
 * an ATtiny824 would cost), boards swapped the moment the station asks. Prints the time per board
 * (programming only, and the whole cycle with detection and removal) and the resulting rate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildFirmware } from '../src/firmware/firmware.js';
import { CHEMISTRY } from '../src/eeprom/chemistry.js';
import { encodeConfig } from '../src/eeprom/image.js';
import { fuseHex, loadFirmware, loadFuses } from '../src/production/firmware.js';
import { FileLedger } from '../src/production/ledger-file.js';
import { Station } from '../src/workflows/station.js';
import { ProgrammingFixture, virtualBoard } from '../src/sim/fixture/fixture.js';

const BOARDS = Number(process.env.BOARDS ?? 5);
const BAUD = Number(process.env.BAUD ?? 115200);

const dir = mkdtempSync(join(tmpdir(), 'ltobms-bench-manufacture-'));
const build = await buildFirmware({ chemistry: 'LTO', version: 'bench', outDir: join(dir, 'build') });
const firmware = await loadFirmware(build.artifacts.hex);
const fuses = await loadFuses(undefined, firmware.file);
const fixture = await ProgrammingFixture.open({ baud: BAUD, latencyMs: 1 });
const ledgerPath = join(dir, 'ledger.jsonl');
const ledger = FileLedger.open(ledgerPath, 1);
const boards = Array.from({ length: BOARDS }, (_, i) => virtualBoard(`B${i}`, [0x30, 0x41, 0x37, 0x41, 0x34, 0x32, 0x0c, 0x3f, 0x50, i]));
let next = 1;
fixture.attach(boards[0]!);
const programMs: number[] = [];
const station = new Station({
  port: fixture.portPath,
  baud: BAUD,
  timeoutMs: 250,
  renumber: false,
  job: { firmware, fuses, eepromFor: (sn) => encodeConfig({ serialNumber: sn, tempOffset: 0, ...CHEMISTRY.LTO.defaults }) },
  ledger,
  entryBase: { firmware: { file: firmware.file, sha256: firmware.sha256, version: firmware.version }, chemistry: 'LTO', fuses: fuseHex(fuses.values) },
  count: BOARDS,
  signal: new AbortController().signal,
  decide: async () => 'next',
  onEvent: (e) => {
    if (e.type === 'ok') programMs.push(e.result.ms);
    if (e.type === 'failed') console.error(`failed: ${e.failure.error.message}`);
    if (e.type === 'remove') {
      fixture.detach();
      if (next < boards.length) setTimeout(() => fixture.attach(boards[next++]!), 0);
    }
  },
});
const t0 = performance.now();
const summary = await station.run();
const total = (performance.now() - t0) / 1000;
await ledger.close();
await fixture.close();

const mean = programMs.reduce((a, b) => a + b, 0) / programMs.length / 1000;
console.log(`firmware: ${firmware.flashBytes} B flash; wire ${BAUD} baud, 1 ms latency; ${summary.ok}/${BOARDS} boards ok`);
console.log(`programming per board (detect → verify): ${mean.toFixed(2)} s (min ${(Math.min(...programMs) / 1000).toFixed(2)}, max ${(Math.max(...programMs) / 1000).toFixed(2)})`);
console.log(`whole cycle per board (with detection and removal polling): ${(total / BOARDS).toFixed(2)} s`);
console.log(`rate with instant swaps: ${Math.round((3600 * BOARDS) / total)} boards/hour`);
