// Start-up loads only what a command needs: the command table declares names, options and help
// without importing any command's implementation, and the heavy packages (serialport, ora,
// execa, the InfluxDB client) load only where they are used. Proven by recording every module the
// ES module loader resolves (test/helpers/import-recorder.ts), not by timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const RECORDER = fileURLToPath(new URL('../helpers/import-recorder.js', import.meta.url));
const HEAVY = ['serialport', '@serialport/', 'ora', 'execa', '@influxdata/'];

/** Runs `ltobms args` and returns its result and the URLs of every module it loaded. */
async function loaded(args: string[]): Promise<{ code: number | null; stdout: string; urls: string[] }> {
  const log = join(mkdtempSync(join(tmpdir(), 'ltobms-imports-')), 'imports.txt');
  const r = await runCli(args, { env: { NODE_OPTIONS: `--import=${RECORDER}`, LTOBMS_IMPORT_LOG: log } });
  const urls = [...new Set(readFileSync(log, 'utf8').trim().split('\n'))];
  return { code: r.code, stdout: r.stdout, urls };
}

/** The packages under node_modules among `urls` (scoped ones as @scope/name). */
function packages(urls: string[]): string[] {
  const names = urls.map((u) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

const heavy = (pkgs: string[]) => pkgs.filter((p) => HEAVY.some((h) => (h.endsWith('/') ? p.startsWith(h) : p === h)));

test('the recorder sees packages and our own modules (the method can fail)', async () => {
  const log = join(mkdtempSync(join(tmpdir(), 'ltobms-imports-')), 'imports.txt');
  const script = "await import('ora'); await import('@influxdata/influxdb-client'); await import('commander');";
  const child = spawnSync(process.execPath, [`--import=${RECORDER}`, '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { ...process.env, LTOBMS_IMPORT_LOG: log } });
  assert.equal(child.status, 0, String(child.stderr));
  assert.deepEqual(heavy(packages(readFileSync(log, 'utf8').split('\n'))), ['@influxdata/influxdb-client', 'ora']);

  const r = await loaded(['eeprom', '--sn', '7']);
  assert.equal(r.code, 0);
  assert.ok(packages(r.urls).includes('commander'), packages(r.urls).join(', '));
  assert.ok(r.urls.some((u) => u.endsWith('/dist/src/commands/eeprom.js')), 'the eeprom implementation, loaded when the command runs');
});

for (const args of [['--version'], ['--help'], ['eeprom', '--sn', '7'], ['eeprom', '--help'], ['run', '--help']]) {
  test(`ltobms ${args.join(' ')} loads none of serialport, ora, execa or the InfluxDB client`, async () => {
    const r = await loaded(args);
    assert.equal(r.code, 0);
    assert.ok(r.stdout.length > 0);
    assert.deepEqual(heavy(packages(r.urls)), [], `packages loaded: ${packages(r.urls).join(', ')}`);
  });
}

test('--help loads the command table and no declaration; <command> --help only that declaration; neither an implementation or the UPDI stack', async () => {
  const declarations = (urls: string[]) => urls.filter((u) => /\/dist\/src\/cli\/commands\/(?!index\.js)/.test(u)).map((u) => u.replace(/.*\/cli\/commands\//, ''));
  for (const [args, expected] of [[['--help'], []], [['--version'], []], [['run', '--help'], ['run.js']], [['help', 'manufacture'], ['manufacture.js']]] as const) {
    const r = await loaded([...args]);
    assert.equal(r.code, 0);
    assert.deepEqual(declarations(r.urls), expected, args.join(' '));
    const ours = r.urls.filter((u) => /\/dist\/src\/(commands|updi|serial|logging|sim|workflows)\//.test(u));
    assert.deepEqual(ours, [], args.join(' '));
  }
});
