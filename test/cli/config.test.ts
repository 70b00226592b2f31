/**
 * Project settings: ltobms.config.json / .ltobmsrc found upward, LTOBMS_* from the environment or
 * ./.env, precedence flag > environment > config file > default, `ltobms config` (text and --json),
 * and a bad config file as one error line naming the file and key. End to end through the real
 * bin/ltobms: which port, baud and chemistry a command used shows in what it prints.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { findConfigFile, parseConfig } from '../../src/config/file.js';
import { resolveSettings } from '../../src/config/resolve.js';
import { LtobmsError } from '../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'ltobms-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
/** A fresh project folder with a sub-folder to run in. */
function project(files: Record<string, string> = {}): { dir: string; sub: string } {
  const dir = join(root, `p${++n}`);
  const sub = join(dir, 'firmware', 'src');
  mkdirSync(sub, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, sub };
}
/** No LTOBMS_* from the machine running the tests. */
const CLEAN = { LTOBMS_PORT: '', LTOBMS_UART: '', LTOBMS_BAUD: '', LTOBMS_CHEMISTRY: '' };

const configError = (message: RegExp) => (e: unknown) => e instanceof LtobmsError && e.exitCode === 2 && e.code === 'CONFIG' && message.test(e.message);

test('a config file: the four keys, typed; anything else is an error naming the file and the key', () => {
  assert.deepEqual(parseConfig('/p/ltobms.config.json', '{"port":"/dev/ttyUSB0","uart":" /dev/ttyUSB1 ","baud":230400,"chemistry":"na-ion"}'), {
    port: '/dev/ttyUSB0',
    uart: '/dev/ttyUSB1',
    baud: 230400,
    chemistry: 'NAION',
  });
  assert.deepEqual(parseConfig('/p/.ltobmsrc', '{"baud":"57600"}'), { baud: 57600 });
  assert.deepEqual(parseConfig('/p/.ltobmsrc', '{}'), {});
  const cases: [string, RegExp][] = [
    ['{"port": "/dev/ttyUSB0",}', /^\/p\/c\.json: not valid JSON \(/],
    ['', /^\/p\/c\.json: not valid JSON/],
    ['["port"]', /^\/p\/c\.json: expected a JSON object of settings$/],
    ['{"prot": "/dev/ttyUSB0"}', /^\/p\/c\.json: unknown key "prot"$/],
    ['{"port": ""}', /^\/p\/c\.json: "port" must be a serial port path/],
    ['{"uart": 7}', /^\/p\/c\.json: "uart" must be a serial port path \(a non-empty string\), not 7$/],
    ['{"baud": "fast"}', /^\/p\/c\.json: "baud" must be a whole number from 300 to 900000, not "fast"$/],
    ['{"baud": 1e6}', /^\/p\/c\.json: "baud" must be a whole number from 300 to 900000, not 1000000$/],
    ['{"baud": 115200.5}', /"baud" must be a whole number/],
    ['{"chemistry": "LiFePO4"}', /^\/p\/c\.json: "chemistry" must be LTO or NAION, not "LiFePO4"$/],
    ['{"chemistry": "all"}', /"chemistry" must be LTO or NAION/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseConfig('/p/c.json', text), configError(message), text);
});

test('the config file is found in the folder or the nearest one above; ltobms.config.json before .ltobmsrc', () => {
  const { dir, sub } = project();
  assert.equal(findConfigFile(sub), undefined);
  writeFileSync(join(dir, '.ltobmsrc'), '{}');
  assert.equal(findConfigFile(sub), join(dir, '.ltobmsrc'));
  writeFileSync(join(dir, 'ltobms.config.json'), '{}');
  assert.equal(findConfigFile(sub), join(dir, 'ltobms.config.json'));
  writeFileSync(join(dir, 'firmware', '.ltobmsrc'), '{}');
  assert.equal(findConfigFile(sub), join(dir, 'firmware', '.ltobmsrc'));
  mkdirSync(join(sub, 'ltobms.config.json'));
  assert.equal(findConfigFile(sub), join(dir, 'firmware', '.ltobmsrc'), 'a folder of that name is no config file');
});

test('precedence below the flags: environment > ./.env > config file > default, key by key', async () => {
  const { sub } = project({ 'ltobms.config.json': '{"port":"/cfg/port","uart":"/cfg/uart","baud":57600,"chemistry":"NAION"}' });
  writeFileSync(join(sub, '.env'), 'LTOBMS_UART=/dotenv/uart\nLTOBMS_BAUD=38400\n');
  const r = await resolveSettings({ cwd: sub, env: { ...CLEAN, LTOBMS_BAUD: '19200' } });
  assert.deepEqual(
    Object.values(r.settings).map((s) => [s.key, s.value, s.source.kind]),
    [
      ['port', '/cfg/port', 'config'],
      ['uart', '/dotenv/uart', '.env'],
      ['baud', 19200, 'environment'],
      ['chemistry', 'NAION', 'config'],
    ],
  );
  const none = await resolveSettings({ cwd: project().sub, env: CLEAN });
  assert.deepEqual(Object.values(none.settings).map((s) => s.source.kind), ['default', 'default', 'default', 'default']);
  await assert.rejects(resolveSettings({ cwd: sub, env: { ...CLEAN, LTOBMS_CHEMISTRY: 'lipo' } }), configError(/^LTOBMS_CHEMISTRY must be LTO or NAION, not "lipo"$/));
});

test('ltobms config: every setting with its value and source, the same report as text and as --json', async () => {
  const { dir, sub } = project({ '.ltobmsrc': '{"baud":230400,"chemistry":"NAION"}' });
  writeFileSync(join(sub, '.env'), 'LTOBMS_CHEMISTRY=LTO\n');
  const env = { ...CLEAN, LTOBMS_PORT: '/dev/ttyUSB9' };
  const json = await runCli(['config', '--json'], { cwd: sub, env });
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.configFile, join(dir, '.ltobmsrc'));
  assert.equal(report.envFile, join(sub, '.env'));
  assert.deepEqual(
    report.settings.map((s: { key: string; value: unknown; source: string; file: string | null }) => [s.key, s.value, s.source, s.file]),
    [
      ['port', '/dev/ttyUSB9', 'environment', null],
      ['uart', null, 'default', null],
      ['baud', 230400, 'config', join(dir, '.ltobmsrc')],
      ['chemistry', 'LTO', '.env', join(sub, '.env')],
    ],
  );
  const text = await runCli(['config'], { cwd: sub, env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^config file  ${join(dir, '.ltobmsrc')}$`, 'm'));
  assert.match(text.stdout, /^port +\/dev\/ttyUSB9 +environment \(LTOBMS_PORT\)$/m);
  assert.match(text.stdout, /^uart +- +default: run, calibrate: the UPDI adapter's other port; log: none$/m);
  assert.match(text.stdout, new RegExp(`^baud +230400 +${join(dir, '.ltobmsrc')} \\("baud"\\)$`, 'm'));
  assert.match(text.stdout, new RegExp(`^chemistry +LTO +${join(sub, '.env')} \\(LTOBMS_CHEMISTRY\\)$`, 'm'));
});

test('a bad config file stops every command that reads the settings: one error line naming file and key, exit 2', async () => {
  const { dir, sub } = project({ 'ltobms.config.json': '{"port":"/dev/ttyUSB0","speed":9600}' });
  for (const args of [['config'], ['config', '--json'], ['eeprom', '--sn', '7'], ['flash', 'main.hex', '-P', '/dev/ttyUSB0'], ['build', '--chemistry', 'LTO']]) {
    const r = await runCli(args, { cwd: sub, env: CLEAN });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, `error: ${join(dir, 'ltobms.config.json')}: unknown key "speed"\nhint: the keys are port, uart, baud, chemistry\n`, args.join(' '));
    assert.equal(r.stdout, '');
  }
  // Commands without settings do not read it.
  const r = await runCli(['eeprom', 'decode', '3773070005007805dc0a8c0a1405d0070000ffff'], { cwd: sub, env: CLEAN });
  assert.notEqual(r.stderr.split('\n')[0], `error: ${join(dir, 'ltobms.config.json')}: unknown key "speed"`);
});

test('a command takes the flag, else the environment, else the config file, else its default (port, baud, chemistry, uart)', async () => {
  const { sub } = project({ 'ltobms.config.json': JSON.stringify({ port: join(root, 'cfg-port'), baud: 230400, chemistry: 'NAION', uart: join(root, 'cfg-uart') }) });
  writeFileSync(join(root, 'cfg-uart'), 'not a port');
  const hex = join(sub, 'main.hex');
  writeFileSync(hex, ':0100000001FE\n:00000001FF\n');
  const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: sub, env: { ...CLEAN, ...env } });

  // baud: the config's 230400 is above what 1.8 V allows, so the refusal names the baud in use.
  let r = await run(['flash', hex]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: --baud 230400 is above the 225000 baud/m);
  r = await run(['flash', hex], { LTOBMS_BAUD: '250000' });
  assert.match(r.stderr, /^error: --baud 250000 is above/m);
  // port: with a baud that passes, the port that fails to open is the one in use.
  r = await run(['flash', hex, '-b', '115200']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: serial port .*cfg-port cannot be opened/m);
  r = await run(['flash', hex, '-b', '115200'], { LTOBMS_PORT: join(root, 'env-port') });
  assert.match(r.stderr, /^error: serial port .*env-port cannot be opened/m);
  r = await run(['flash', hex, '-b', '115200', '-P', join(root, 'flag-port')], { LTOBMS_PORT: join(root, 'env-port') });
  assert.match(r.stderr, /^error: serial port .*flag-port cannot be opened/m);
  // manufacture's repeatable -P takes the setting as a list of one.
  r = await run(['manufacture', '--firmware', hex, '-b', '115200', '--ledger', join(sub, 'l.jsonl'), '--start-sn', '1', '--count', '1', '--yes', '--json'], { LTOBMS_CHEMISTRY: 'LTO' });
  assert.match(r.stderr, /cfg-port/);

  // chemistry: eeprom reports the one it used.
  r = await run(['eeprom', '--sn', '7', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).chemistry, 'NAION');
  r = await run(['eeprom', '--sn', '7', '--json'], { LTOBMS_CHEMISTRY: 'LTO' });
  assert.equal(JSON.parse(r.stdout).chemistry, 'LTO');
  r = await run(['eeprom', '--sn', '7', '--json', '--chemistry', 'NAION'], { LTOBMS_CHEMISTRY: 'LTO' });
  assert.equal(JSON.parse(r.stdout).chemistry, 'NAION');

  // uart: ltobms log without a port tails the configured UART (here a regular file, refused by name).
  r = await run(['log']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: .*cfg-uart is a regular file, not a serial port$/m);
  r = await run(['log', '--replay', join(sub, 'none.lp')]);
  assert.doesNotMatch(r.stderr, /cfg-uart/, '--replay does not pick up the UART setting');
});

test('run --sim ignores a port and UART from the settings (the virtual board brings its own); typed ones are still refused', async () => {
  const { sub } = project({ 'ltobms.config.json': '{"port":"/dev/ttyUSB0","uart":"/dev/ttyUSB1"}' });
  // A bad --speed is checked right after the board's ports: reaching it shows they passed.
  const r = await runCli(['run', '--sim', '--speed', 'fast'], { cwd: sub, env: CLEAN });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: --speed fast: expected/m);
  const typed = await runCli(['run', '--sim', '--uart-port', '/dev/ttyUSB1'], { cwd: sub, env: CLEAN });
  assert.match(typed.stderr, /^error: --uart-port does not apply to --sim/m);
});

test('the environment variables need no config file, and a bad one is named like a bad key', async () => {
  const { sub } = project();
  const r = await runCli(['flash', 'main.hex'], { cwd: sub, env: { ...CLEAN, LTOBMS_BAUD: 'fast' } });
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'error: LTOBMS_BAUD must be a whole number from 300 to 900000, not "fast"\nhint: for example 115200\n');
  writeFileSync(join(sub, '.env'), 'LTOBMS_CHEMISTRY=lipo\n');
  const e = await runCli(['eeprom', '--sn', '7'], { cwd: sub, env: CLEAN });
  assert.equal(e.code, 2);
  assert.equal(e.stderr.split('\n')[0], `error: ${join(sub, '.env')}: LTOBMS_CHEMISTRY must be LTO or NAION, not "lipo"`);
});
