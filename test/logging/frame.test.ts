import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLine, formatPoint, parseFrameBytes, type LineClass } from '../../src/logging/frame.js';

// The example frame of the contract (shared/HARDWARE.md, "Log frames"), verbatim.
const EXAMPLE =
  'lto-bms,id=0007 uptime=60i,v_batt=2512i,v_load=2509i,current=-35i,E_dis=0i,E_chg=1i,charge=-1i,temp=297i,gain=16i,state="BMS_STATE_CHARGING"';

const classify = (line: string, timestamp?: 'forbidden' | 'required' | 'optional'): LineClass =>
  classifyLine(Buffer.from(line, 'latin1'), 0, Buffer.byteLength(line, 'latin1'), { timestamp });

function frameOf(line: string) {
  const c = classify(line);
  assert.equal(c.kind, 'frame', `expected a frame: ${line} → ${JSON.stringify(c)}`);
  return (c as Extract<LineClass, { kind: 'frame' }>).frame;
}

function garbageReason(line: string | Buffer): string {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'latin1') : line;
  const c = classifyLine(bytes);
  assert.equal(c.kind, 'garbage', `expected garbage: ${JSON.stringify(line.toString())} → ${JSON.stringify(c)}`);
  return (c as Extract<LineClass, { kind: 'garbage' }>).reason;
}

test('the contract example parses into the typed values it shows', () => {
  assert.deepEqual(frameOf(EXAMPLE), {
    measurement: 'lto-bms',
    id: '0007',
    uptime: 60,
    v_batt: 2512,
    v_load: 2509,
    current: -35,
    E_dis: 0,
    E_chg: 1,
    charge: -1,
    temp: 297,
    gain: 16,
    state: 'BMS_STATE_CHARGING',
  });
});

test('Na-ion frames, every state name, every PGA gain and hex ids parse', () => {
  const states = ['INVALID', 'UVLO', 'OVLO', 'OCLO', 'CHARGING', 'DISCHARGING', 'IDLE', 'ERR'];
  for (const s of states) {
    const f = frameOf(EXAMPLE.replace('lto-bms', 'nai-bms').replace('CHARGING', s));
    assert.equal(f.measurement, 'nai-bms');
    assert.equal(f.state, `BMS_STATE_${s}`);
  }
  for (const g of [1, 2, 4, 8, 16]) assert.equal(frameOf(EXAMPLE.replace('gain=16i', `gain=${g}i`)).gain, g);
  assert.equal(frameOf(EXAMPLE.replace('id=0007', 'id=FFFF')).id, 'FFFF');
  assert.equal(frameOf(EXAMPLE.replace('id=0007', 'id=0A1B')).id, '0A1B');
});

test('fields in another order still parse (line protocol does not fix the order)', () => {
  const reordered =
    'lto-bms,id=0007 state="BMS_STATE_IDLE",gain=1i,temp=290i,charge=5i,E_chg=2i,E_dis=3i,current=0i,v_load=2000i,v_batt=2001i,uptime=0i';
  const f = frameOf(reordered);
  assert.equal(f.v_batt, 2001);
  assert.equal(f.E_dis, 3);
  assert.equal(f.state, 'BMS_STATE_IDLE');
});

test('range limits: u32 uptime, u16 voltages, i32 current', () => {
  assert.equal(frameOf(EXAMPLE.replace('uptime=60i', 'uptime=4294967295i')).uptime, 4294967295);
  assert.equal(frameOf(EXAMPLE.replace('current=-35i', 'current=-2147483648i')).current, -2147483648);
  assert.equal(frameOf(EXAMPLE.replace('v_batt=2512i', 'v_batt=65535i')).v_batt, 65535);
  assert.equal(garbageReason(EXAMPLE.replace('uptime=60i', 'uptime=4294967296i')), 'bad-frame');
  assert.equal(garbageReason(EXAMPLE.replace('uptime=60i', 'uptime=-1i')), 'bad-frame');
  assert.equal(garbageReason(EXAMPLE.replace('v_batt=2512i', 'v_batt=65536i')), 'bad-frame');
  assert.equal(garbageReason(EXAMPLE.replace('current=-35i', 'current=2147483648i')), 'bad-frame');
  assert.equal(garbageReason(EXAMPLE.replace('gain=16i', 'gain=3i')), 'bad-frame');
  assert.equal(garbageReason(EXAMPLE.replace('gain=16i', 'gain=32i')), 'bad-frame');
});

test('frame-like lines that break the contract are garbage, never frames', () => {
  const broken = [
    EXAMPLE.replace('id=0007', 'id=0x07'), // not 4 hex digits
    EXAMPLE.replace('id=0007', 'id=000a'), // lower-case hex
    EXAMPLE.replace('id=0007', 'id=007'),
    EXAMPLE.replace('id=0007', 'id=0007,evil=1'), // an extra tag
    EXAMPLE.replace('lto-bms', 'LTO-BMS'),
    EXAMPLE.replace('lto-bms', 'lto-bms2'),
    EXAMPLE.replace(',gain=16i', ''), // missing field
    EXAMPLE + ',gain=16i', // duplicate field
    EXAMPLE + ',extra=1i', // unknown field
    EXAMPLE.replace('temp=297i', 'temp=297'), // float, not integer
    EXAMPLE.replace('temp=297i', 'temp=29.7i'),
    EXAMPLE.replace('temp=297i', 'temp=i'),
    EXAMPLE.replace('temp=297i', 'temp="297"'),
    EXAMPLE.replace('BMS_STATE_CHARGING', 'BMS_STATE_SLEEPING'),
    EXAMPLE.replace('"BMS_STATE_CHARGING"', 'BMS_STATE_CHARGING'),
    EXAMPLE.replace('"BMS_STATE_CHARGING"', '"BMS_STATE_CHARGING'),
    EXAMPLE + ' 1700000000000000000', // the board never sends a timestamp
    EXAMPLE + ' ',
    EXAMPLE.slice(0, 80), // cut short
    'lto-bms,id=0007',
    'xx' + EXAMPLE.slice(2),
  ];
  for (const line of broken) assert.equal(garbageReason(line), 'bad-frame', line);
});

test('debug text of debug builds is told apart from frames', () => {
  for (const text of ['LTO-BMS start', 'EEPROM: 37 73 07 00 00 00', 'config loaded, crc ok', '  indented text']) {
    const c = classify(text);
    assert.deepEqual(c, { kind: 'debug', text });
  }
  assert.deepEqual(classify(''), { kind: 'blank' });
  assert.deepEqual(classify('   '), { kind: 'blank' });
});

test('bytes that are not printable ASCII make garbage with the right reason', () => {
  assert.equal(garbageReason(Buffer.from([0x6c, 0xff, 0xfe, 0x41])), 'invalid-utf8');
  assert.equal(garbageReason(Buffer.from([0xc3, 0x28])), 'invalid-utf8'); // bad continuation byte
  assert.equal(garbageReason(Buffer.from('temp 25 °C', 'utf8')), 'non-ascii');
  assert.equal(garbageReason(Buffer.from('abc\x00def', 'latin1')), 'control-bytes');
  assert.equal(garbageReason(Buffer.from(EXAMPLE.replace('=60i', '=6\x1b0i'), 'latin1')), 'control-bytes');
  assert.equal(garbageReason(Buffer.from('a'.repeat(513))), 'oversized');
  assert.equal(classifyLine(Buffer.from('a'.repeat(512))).kind, 'debug');
});

test('recorded lines: the timestamp is required, in ns, and read exactly', () => {
  const c = classify(EXAMPLE + ' 1700000000123456789', 'required');
  assert.equal(c.kind, 'frame');
  assert.equal((c as Extract<LineClass, { kind: 'frame' }>).timeNs, 1700000000123456789n);
  assert.equal(classify(EXAMPLE, 'required').kind, 'garbage');
  assert.equal(classify(EXAMPLE + ' 17e9', 'required').kind, 'garbage');
  assert.equal(classify(EXAMPLE + ' 99999999999999999999', 'required').kind, 'garbage');
  assert.equal(classify(EXAMPLE + ' -5', 'required').kind, 'garbage');
});

test('formatPoint writes the contract line plus the timestamp, and parses back to the same frame', () => {
  const f = frameOf(EXAMPLE);
  const line = formatPoint(f, 1700000000000000001n);
  // Same bytes as the firmware's line, then one space and the ns timestamp (what log.py wrote).
  assert.equal(line, `${EXAMPLE} 1700000000000000001`);
  const back = parseFrameBytes(Buffer.from(line), 0, line.length, { timestamp: 'required' });
  assert.ok('frame' in back);
  assert.deepEqual(back.frame, f);
  assert.equal(back.timeNs, 1700000000000000001n);
});

test('a reordered frame is re-serialised in contract order: nothing is forwarded raw', () => {
  const f = frameOf(
    'nai-bms,id=00FF state="BMS_STATE_OCLO",gain=2i,temp=250i,charge=-7i,E_chg=0i,E_dis=9i,current=1200i,v_load=0i,v_batt=3500i,uptime=1i',
  );
  assert.equal(
    formatPoint(f, 5n),
    'nai-bms,id=00FF uptime=1i,v_batt=3500i,v_load=0i,current=1200i,E_dis=9i,E_chg=0i,charge=-7i,temp=250i,gain=2i,state="BMS_STATE_OCLO" 5',
  );
});
