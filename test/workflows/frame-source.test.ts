/** Frames one at a time from a byte stream: order, discard, debug lines counted, a timeout on an injected clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LtobmsError } from '../../src/errors.js';
import { createPipePair } from '../../src/serial/pipe.js';
import { ManualClock } from '../../src/util/clock.js';
import { streamFrameSource } from '../../src/workflows/frame-source.js';

const line = (uptime: number, vBatt = 2300) =>
  new TextEncoder().encode(`lto-bms,id=0007 uptime=${uptime}i,v_batt=${vBatt}i,v_load=2290i,current=10i,E_dis=0i,E_chg=0i,charge=0i,temp=298i,gain=16i,state="BMS_STATE_DISCHARGING"\n`);

test('frames come out in order, split across chunks; discard forgets what came before; other lines are counted', async () => {
  const { host, device } = createPipePair({ echo: false, name: 'uart pipe' });
  const frames = streamFrameSource(host);
  const first = line(0);
  device.write(first.subarray(0, 30));
  device.write(first.subarray(30));
  device.write(new TextEncoder().encode('# debug line\n'));
  device.write(line(60));
  assert.equal((await frames.next(5000)).uptime, 0);
  device.write(line(120));
  await new Promise((r) => setTimeout(r, 20));
  frames.discard();
  device.write(line(180, 2311));
  const f = await frames.next(5000);
  assert.deepEqual([f.uptime, f.v_batt], [180, 2311]);
  assert.equal(frames.otherLines, 1);
  await frames.close();
});

test('no frame within the timeout: one error naming the port, with the fix; the clock decides, not the machine', async () => {
  const clock = new ManualClock();
  const { host, device } = createPipePair({ echo: false, name: '/dev/ttyUSB1' });
  const frames = streamFrameSource(host, clock);
  device.write(new TextEncoder().encode('garbage without a frame\n'));
  const waiting = frames.next(90_000);
  await new Promise((r) => setTimeout(r, 10));
  clock.advance(89_999);
  await new Promise((r) => setTimeout(r, 10));
  clock.advance(1);
  await assert.rejects(waiting, (e: unknown) => {
    assert.ok(e instanceof LtobmsError);
    assert.equal(e.code, 'CALIBRATE_NO_FRAMES');
    assert.equal(e.message, 'no log frame on /dev/ttyUSB1 within 90 s (1 other line arrived)');
    assert.match(e.hint ?? '', /--frame-timeout/);
    return true;
  });
  await frames.close();
});

test('the port going away while waiting is its own error', async () => {
  const { host, device } = createPipePair({ echo: false, name: 'uart pipe' });
  const frames = streamFrameSource(host);
  const waiting = frames.next(60_000);
  device.hangUp('unplugged');
  await assert.rejects(waiting, /uart pipe closed while waiting for a log frame \(unplugged\)/);
});
