/**
 * `npm run bench:log`: how fast `ltobms log` parses frames, and how fast `--replay` ingests a
 * recorded file into a local InfluxDB 1.x (Debian's influxd on a loopback port), with where the time
 * goes. Prints figures; asserts nothing.
 *
 *   node dist/bench/log.js [--frames 1000000] [--batch 5000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyLine, formatPoint, type Frame } from '../src/logging/frame.js';
import { resolveConfig } from '../src/logging/config.js';
import { openWriter } from '../src/logging/target.js';
import { replayFiles } from '../src/logging/session.js';
import { influxdAvailable, startInfluxd, type InfluxdServer } from '../test/helpers/influxdb.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const FRAMES = arg('frames', 1_000_000);
const BATCH = arg('batch', 5000);
const BOARDS = 8;
const STATES = ['IDLE', 'CHARGING', 'DISCHARGING', 'UVLO'];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A day-like recording: 8 boards, one frame a minute each, values wandering. */
function makeRecording(): { text: string; wire: Buffer } {
  const start = 1_700_000_000_000_000_000n;
  const lines: string[] = [];
  const wire: string[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const board = i % BOARDS;
    const minute = Math.floor(i / BOARDS);
    const current = ((i * 37) % 900) - 450;
    const line =
      `${board % 2 ? 'nai-bms' : 'lto-bms'},id=${board.toString(16).toUpperCase().padStart(4, '0')} ` +
      `uptime=${minute * 60}i,v_batt=${2000 + (i % 700)}i,v_load=${1990 + (i % 700)}i,current=${current}i,` +
      `E_dis=${minute}i,E_chg=${minute >> 1}i,charge=${-minute}i,temp=${273 + (i % 50)}i,gain=${1 << (i % 5)}i,` +
      `state="BMS_STATE_${STATES[i % 4]}"`;
    wire.push(line);
    lines.push(`${line} ${start + BigInt(minute) * 60_000_000_000n}`);
  }
  return { text: lines.join('\n') + '\n', wire: Buffer.from(wire.join('\n') + '\n') };
}

function parseRate(buf: Buffer, timestamp: 'forbidden' | 'required'): { rate: number; frames: number; frameList: Frame[] } {
  const frameList: Frame[] = [];
  let best = 0;
  let frames = 0;
  for (let round = 0; round < 3; round++) {
    frames = 0;
    const t0 = performance.now();
    for (let p = 0; p < buf.length; ) {
      const nl = buf.indexOf(10, p);
      const c = classifyLine(buf, p, nl, { timestamp });
      if (c.kind === 'frame') {
        frames++;
        if (round === 0 && frameList.length < 100_000) frameList.push(c.frame);
      }
      p = nl + 1;
    }
    best = Math.max(best, frames / ((performance.now() - t0) / 1000));
  }
  return { rate: best, frames, frameList };
}

async function main(): Promise<void> {
  console.log(`ltobms log benchmark: ${fmt(FRAMES)} frames, batches of ${fmt(BATCH)} points, node ${process.version}`);
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-bench-'));
  try {
    let t0 = performance.now();
    const { text, wire } = makeRecording();
    const file = join(dir, 'recording.lp');
    writeFileSync(file, text);
    console.log(`recording: ${(text.length / 1e6).toFixed(1)} MB written in ${seconds(performance.now() - t0)}`);

    const wireParse = parseRate(wire, 'forbidden');
    const fileParse = parseRate(Buffer.from(text), 'required');
    if (wireParse.frames !== FRAMES || fileParse.frames !== FRAMES) throw new Error('the parser rejected generated frames');
    t0 = performance.now();
    let bytes = 0;
    for (let k = 0; k < 10; k++) for (const f of wireParse.frameList) bytes += formatPoint(f, 1_700_000_000_000_000_000n).length;
    const serialiseRate = (10 * wireParse.frameList.length) / ((performance.now() - t0) / 1000);
    console.log('\nparsing (best of 3, one core):');
    console.log(`  UART frames (no timestamp)      ${fmt(wireParse.rate).padStart(12)} frames/s   goal ≥ 500,000`);
    console.log(`  recorded lines (ns timestamp)   ${fmt(fileParse.rate).padStart(12)} frames/s`);
    console.log(`  re-serialising (formatPoint)    ${fmt(serialiseRate).padStart(12)} points/s   (${bytes > 0 ? 'ok' : ''})`);

    if (!influxdAvailable()) {
      console.log('\ninfluxd is not installed (Debian package influxdb): skipping the ingest figures');
      return;
    }
    // Each measurement gets its own fresh server: influxd compacts what it was sent in the
    // background, and that must not slow down the next measurement.
    const withServer = async <T>(fn: (db: InfluxdServer) => Promise<T>): Promise<T> => {
      const db = await startInfluxd({ database: 'bench' });
      try {
        return await fn(db);
      } finally {
        await db.cleanup();
      }
    };

    // Ceiling: the same batches POSTed straight to /write, one request at a time, no ltobms in between.
    const lines = text.split('\n').filter(Boolean);
    const bodies: string[] = [];
    for (let i = 0; i < lines.length; i += BATCH) bodies.push(lines.slice(i, i + BATCH).join('\n'));
    const rawMs = await withServer(async (db) => {
      const start = performance.now();
      for (const body of bodies) {
        const r = await fetch(`${db.url}/write?db=bench&precision=ns`, { method: 'POST', body });
        if (r.status !== 204) throw new Error(`influxd answered ${r.status}: ${await r.text()}`);
      }
      return performance.now() - start;
    });

    const replayInto = (writeAhead: boolean) =>
      withServer(async (db) => {
        const config = resolveConfig({
          flags: { INFLUXDB_URL: db.url, INFLUXDB_DB: 'bench', LTOBMS_DATA_DIR: join(dir, `data-${writeAhead}`) },
          env: {},
          cwd: dir,
        });
        const writer = openWriter(config, {
          batchSize: BATCH,
          writeAhead,
          onEvent: (e) => {
            if (e.type !== 'recovered') console.error(`writer: ${e.type} ${'message' in e ? e.message : ''}`);
          },
        });
        const cpu0 = process.cpuUsage();
        const start = performance.now();
        const summary = await replayFiles({ files: [file], writer, signal: new AbortController().signal, onEvent: () => undefined });
        const ms = performance.now() - start;
        const cpu = process.cpuUsage(cpu0);
        const stored = (await db.count('lto-bms')) + (await db.count('nai-bms'));
        return { ms, cpuMs: (cpu.user + cpu.system) / 1000, summary, stored, timings: writer.stats.timings };
      });

    // ltobms log --replay: read → parse → re-serialise → POST, write-through (spooled only if undelivered).
    const replay = await replayInto(false);
    // The live-tail path: every batch appended + fsynced to the spool first, read back, then POSTed.
    const ahead = await replayInto(true);
    {
      console.log('\ningest into influxd 1.6 on 127.0.0.1 (2 cores shared by server and client):');
      console.log(`  server alone (raw POSTs)        ${fmt(FRAMES / (rawMs / 1000)).padStart(12)} points/s   ${seconds(rawMs)}`);
      for (const [name, r] of [['ltobms log --replay', replay], ['same through the spool', ahead]] as const) {
        console.log(`  ${name.padEnd(31)} ${fmt(FRAMES / (r.ms / 1000)).padStart(12)} points/s   ${seconds(r.ms)}   ` +
          `stored ${fmt(r.stored)}/${fmt(FRAMES)}, written ${fmt(r.summary.written)}, garbage ${r.summary.garbage}`);
      }
      for (const [name, r] of [['--replay (write-through)', replay], ['through the spool (live path)', ahead]] as const) {
        const t = r.timings;
        console.log(`\nwhere the time goes, ${name}: ${seconds(r.ms)} wall`);
        console.log(`  ltobms CPU (read, parse, serialise, HTTP client)  ${seconds(r.cpuMs).padStart(9)}  ${((100 * r.cpuMs) / r.ms).toFixed(0)} % of wall`);
        console.log(`  waiting for the server's answers                  ${seconds(t.sink).padStart(9)}  ${((100 * t.sink) / r.ms).toFixed(0)} %`);
        console.log(`  spool append + fsync                              ${seconds(t.queueAppend).padStart(9)}  ${((100 * t.queueAppend) / r.ms).toFixed(0)} %`);
        console.log(`  spool read back + re-validation                   ${seconds(t.queueRead).padStart(9)}  ${((100 * t.queueRead) / r.ms).toFixed(0)} %`);
      }
      console.log('\n(the reader parses while the writer waits for the server, so the shares overlap; on 2 cores the');
      console.log(' server and ltobms share the CPU, which is why the server answers slower than when it runs alone)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exitCode = 1;
});
