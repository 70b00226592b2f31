/**
 * The log tail behind a USB-serial adapter: bytes arrive in USB packets (an FTDI chip sends at most
 * 62 data bytes per 64-byte packet, a CP210x 64, a CH340 32) and whatever sits in the chip when its
 * latency timer fires. Literal byte streams go through an in-process pipe pair into tailPorts and a
 * real daily-file target: a frame split anywhere is whole, and half a frame (the board reset
 * mid-line) costs only itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tailPorts, type SessionEvent } from '../../src/logging/session.js';
import { PointWriter } from '../../src/logging/writer.js';
import { DailyFileSink } from '../../src/logging/sinks/file.js';
import { createPipePair, type PipePair } from '../../src/serial/pipe.js';
import { tempDir } from './fixtures.js';

const F1 = 'lto-bms,id=0007 uptime=0i,v_batt=2512i,v_load=2509i,current=-35i,E_dis=0i,E_chg=1i,charge=-1i,temp=297i,gain=16i,state="BMS_STATE_CHARGING"';
const F2 = 'lto-bms,id=0007 uptime=60i,v_batt=2513i,v_load=2510i,current=0i,E_dis=0i,E_chg=1i,charge=-1i,temp=298i,gain=8i,state="BMS_STATE_IDLE"';
const F3 = 'nai-bms,id=00A1 uptime=120i,v_batt=3301i,v_load=3300i,current=12i,E_dis=4i,E_chg=0i,charge=2i,temp=300i,gain=1i,state="BMS_STATE_DISCHARGING"';

/** Cuts `bytes` like an adapter: `payload`-byte packets, and a latency flush at each position in `flushAt`. */
function usbChunks(bytes: Buffer, payload: number, flushAt: number[]): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 1; i <= bytes.length; i++) {
    if (i - start === payload || flushAt.includes(i) || i === bytes.length) {
      out.push(bytes.subarray(start, i));
      start = i;
    }
  }
  return out;
}

/** Runs the tail over one pipe, writes the chunks, stops; returns the stored lines and the events. */
async function tail(chunks: Buffer[]): Promise<{ stored: string[]; events: SessionEvent[] }> {
  const dir = tempDir('ltobms-chunks-');
  try {
    const writer = new PointWriter({ sink: new DailyFileSink(join(dir.path, 'log')), deadLetterPath: join(dir.path, 'dead.lp') });
    const events: SessionEvent[] = [];
    const stop = new AbortController();
    let pair: PipePair | undefined;
    const running = tailPorts({
      ports: ['ftdi0'],
      baudRate: 9600,
      writer,
      signal: stop.signal,
      onEvent: (e) => events.push(e),
      drainMs: 1000,
      openPort: async (path) => {
        pair = createPipePair({ echo: false, name: path });
        return pair.host;
      },
    });
    for (let i = 0; i < 1000 && !pair; i++) await new Promise((r) => setTimeout(r, 1));
    for (const chunk of chunks) {
      pair!.device.write(Uint8Array.from(chunk));
      await new Promise((r) => setImmediate(r));
    }
    stop.abort();
    await running;
    const logDir = join(dir.path, 'log');
    const stored = readdirSync(logDir).flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/ \d+$/, '')));
    return { stored, events };
  } finally {
    dir.cleanup();
  }
}

const garbage = (events: SessionEvent[]) => events.filter((e) => e.type === 'garbage');

test('frames split at every USB packet size and latency flush come out whole', async () => {
  const stream = Buffer.from(`${F1}\r\n${F2}\r\n${F3}\n`, 'latin1');
  for (const payload of [62, 64, 32, 1]) {
    for (const flushAt of [[], [5], [F1.length], [F1.length + 1], [F1.length + 2, F1.length + 40]]) {
      const { stored, events } = await tail(usbChunks(stream, payload, flushAt));
      assert.deepEqual(stored, [F1, F2, F3], `payload ${payload}, flushes at ${flushAt.join(',')}`);
      assert.deepEqual(garbage(events), []);
    }
  }
});

test('half a frame (a board reset mid-line) costs only itself, however the bytes are cut', async () => {
  const half = 'lto-bms,id=0007 uptime=31i,v_ba';
  const cases: [string, string][] = [
    ['reset, then the first frame after start-up', `${F2}\r\n${half}${F1}\r\n${F3}\r\n`],
    ['a glitch byte on the line as the chip resets', `${F2}\r\n${half}\x00${F1}\r\n${F3}\r\n`],
    ['two resets in a row', `${F2}\r\n${half}${half}${F1}\r\n${F3}\r\n`],
  ];
  for (const [what, text] of cases) {
    const stream = Buffer.from(text, 'latin1');
    for (const payload of [62, 32, 1]) {
      const { stored, events } = await tail(usbChunks(stream, payload, [F2.length + 2 + half.length]));
      assert.deepEqual(stored, [F2, F1, F3], `${what}, payload ${payload}`);
      const bad = garbage(events);
      assert.equal(bad.length, 1, `${what}: one garbage line ${JSON.stringify(bad)}`);
      assert.equal(bad[0]!.type === 'garbage' && bad[0]!.reason, 'partial');
      assert.match(bad[0]!.type === 'garbage' ? bad[0]!.detail : '', /cut off by a new frame: lto-bms,id=0007 uptime=31i,v_ba/);
    }
  }
  // A debug build's start-up text after the half frame: that line is garbage, the next frame is whole.
  const { stored, events } = await tail(usbChunks(Buffer.from(`${half}LTO BMS start\r\n${F1}\r\n`, 'latin1'), 62, []));
  assert.deepEqual(stored, [F1]);
  assert.equal(garbage(events).length, 1);
});
