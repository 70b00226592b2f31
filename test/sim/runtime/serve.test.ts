// The served board on in-process pipes (what `ltobms demo` and `run --sim` use): the real UPDI
// programmer reaches the chip through a pipe's host end, without socat; the state file is read
// once at start and written when a programming session that changed something ends, and at close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NvmMemories } from '../../../src/sim/nvm/memories.js';
import { startBoardSim, type SimEvent } from '../../../src/sim/runtime/serve.js';
import { defaultScenario } from '../../../src/sim/scenario/index.js';
import { withProgrammer } from '../../../src/updi/connect.js';
import { planProgram } from '../../../src/updi/plan.js';

test('pipe wiring: the state is loaded once; saved after the session that wrote, not after the one that only read, and at close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-serve-'));
  const state = join(dir, 'board.json');
  const before = new NvmMemories();
  before.eeprom.fill(0x5a);
  before.save(state);

  const events: SimEvent[] = [];
  const sim = await startBoardSim({
    wiring: 'pipe',
    statePath: state,
    baud: 0,
    latencyMs: 0,
    scenario: defaultScenario('LTO'),
    speed: 'max',
    onSimEvent: (e) => events.push(e),
  });
  assert.equal(sim.updi.kind, 'pipe');
  // Loaded once: what the file says later is not read again (close writes the board's memories over it).
  writeFileSync(state, 'changed behind the board\'s back');
  const saves = () => events.flatMap((e) => (e.type === 'saved' ? [e.reason] : []));
  const connect = () => ({ port: sim.updi.name, transport: sim.updi.connect(), baud: 115200, timeoutMs: 1000 });
  try {
    const read = await withProgrammer(connect(), async (p) => {
      await p.session.enterProgMode();
      return p.readMemory(await p.identify(), 'eeprom', 0, 4);
    });
    assert.deepEqual([...read], [0x5a, 0x5a, 0x5a, 0x5a], 'the state file\'s EEPROM, through the pipe');
    assert.deepEqual(saves(), [], 'a session that only read saves nothing');

    await withProgrammer(connect(), async (p) => {
      await p.session.enterProgMode();
      await p.program(planProgram({ eeprom: [{ address: 0, data: Uint8Array.of(1, 2, 3) }] }, await p.identify()));
    });
    assert.deepEqual(saves(), ['session-end']);
    assert.ok(events.some((e) => e.type === 'updi' && e.event.type === 'progmode' && e.event.active), 'the chip\'s own UPDI reported it');
  } finally {
    await sim.close();
  }
  assert.deepEqual(saves(), ['session-end', 'close']);
  const saved = JSON.parse(readFileSync(state, 'utf8')) as { eeprom: string };
  assert.equal(saved.eeprom.slice(0, 10), '0102035a5a');
});

test('pipe wiring: a new state file is created at once; connect() replaces the adapter, and a closed board hangs up the pipe', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-serve-'));
  const state = join(dir, 'new.json');
  const events: SimEvent[] = [];
  const sim = await startBoardSim({ wiring: 'pipe', statePath: state, baud: 0, latencyMs: 0, scenario: defaultScenario('LTO'), speed: 'max', onSimEvent: (e) => events.push(e) });
  assert.deepEqual(events.map((e) => (e.type === 'saved' ? e.reason : e.type)), ['created']);
  assert.equal(NvmMemories.fromFile(state).flash[0], 0xff, 'a factory-fresh part');
  const first = sim.updi.connect();
  const second = sim.updi.connect();
  // SYNCH + LDCS STATUSA after the enable pulse: the echo and the answer come back on the new adapter only.
  await second.write(Uint8Array.of(0x00, 0x55, 0x80));
  assert.deepEqual([...(await second.read(4, 1000))], [0x00, 0x55, 0x80, 0x30]);
  await first.write(Uint8Array.of(0x55, 0x80));
  await assert.rejects(first.read(1, 50), /expected 1 bytes? within 50 ms, received 0/);
  const uart = sim.uart.connect();
  await sim.close();
  await assert.rejects(uart.read(1, 1000), /lost|stopped/);
});
