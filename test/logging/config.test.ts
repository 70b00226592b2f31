import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeTarget, resolveConfig, targetKey } from '../../src/logging/config.js';
import { runCli } from '../helpers/cli.js';
import { cleanEnv, tempDir } from './fixtures.js';

test('flags beat the environment, which beats .env — key by key', (t) => {
  const dir = tempDir('ltobms-config-');
  t.after(dir.cleanup);
  writeFileSync(
    join(dir.path, '.env'),
    'INFLUXDB_URL=http://from-file:8086\nINFLUXDB_TOKEN=file-token\nINFLUXDB_ORG=file-org\nINFLUXDB_BUCKET=file-bucket\n',
  );
  const c = resolveConfig({
    flags: { INFLUXDB_BUCKET: 'flag-bucket' },
    env: { INFLUXDB_ORG: 'env-org', INFLUXDB_BUCKET: 'env-bucket' },
    cwd: dir.path,
  });
  assert.deepEqual(c.target, { kind: 'influx2', url: 'http://from-file:8086', token: 'file-token', org: 'env-org', bucket: 'flag-bucket' });
  assert.deepEqual(c.sources, { INFLUXDB_URL: '.env', INFLUXDB_TOKEN: '.env', INFLUXDB_ORG: 'environment', INFLUXDB_BUCKET: 'flag' });
  assert.equal(c.dataDir, join(dir.path, 'ltobms-data'));
});

test('INFLUXDB_DB selects 1.x; nothing selects the daily files; both DB and BUCKET is ambiguous', () => {
  const v1 = resolveConfig({ flags: {}, env: { INFLUXDB_DB: 'bms', INFLUXDB_USER: 'u', INFLUXDB_PASSWORD: 'p', INFLUXDB_RP: 'week' }, cwd: '/nonexistent' });
  assert.deepEqual(v1.target, { kind: 'influx1', url: 'http://localhost:8086', db: 'bms', user: 'u', password: 'p', rp: 'week' });
  const file = resolveConfig({ flags: {}, env: { LTOBMS_DATA_DIR: '/var/lib/bms' }, cwd: '/nonexistent' });
  assert.deepEqual(file.target, { kind: 'file', outDir: '/var/lib/bms/log' });
  assert.throws(() => resolveConfig({ flags: {}, env: { INFLUXDB_DB: 'a', INFLUXDB_BUCKET: 'b' }, cwd: '/nonexistent' }), /both INFLUXDB_DB .* and INFLUXDB_BUCKET/);
  // An explicit --target settles it.
  assert.equal(resolveConfig({ flags: {}, env: { INFLUXDB_DB: 'a', INFLUXDB_BUCKET: 'b' }, target: 'influx1', cwd: '/nonexistent' }).target.kind, 'influx1');
  assert.throws(() => resolveConfig({ flags: {}, env: { INFLUXDB_URL: 'http://x:8086', INFLUXDB_ORG: 'o' }, cwd: '/nonexistent' }), /INFLUXDB_TOKEN, INFLUXDB_BUCKET missing/);
  assert.throws(() => resolveConfig({ flags: {}, env: { INFLUXDB_DB: 'a', INFLUXDB_URL: 'localhost:8086' }, cwd: '/nonexistent' }), /must start with http/);
});

test('the description never contains the token or the password; the spool key differs per target', () => {
  const v2 = { kind: 'influx2' as const, url: 'http://h:8086', token: 's3cr3t-token', org: 'o', bucket: 'b' };
  assert.ok(!describeTarget(v2).includes('s3cr3t'));
  const v1 = { kind: 'influx1' as const, url: 'http://h:8086', db: 'bms', user: 'admin', password: 'hunter2' };
  assert.ok(!describeTarget(v1).includes('hunter2'));
  assert.notEqual(targetKey(v2), targetKey({ ...v2, bucket: 'other' }));
  assert.equal(targetKey(v2), targetKey({ ...v2, token: 'rotated' }), 'a new token keeps the spool');
});

test('bad usage is one error line, a hint, and exit 2', async (t) => {
  const cases: [string[], RegExp][] = [
    [['log'], /^error: no serial port given\nhint: name the adapter/],
    [['log', '/dev/null', '--baud', 'fast'], /^error: --baud fast: expected a whole number from 1 to 4000000\nhint: for example --baud 9600/],
    [['log', '/dev/null', '--replay', 'x.lp'], /^error: give serial ports or --replay files, not both/],
    [['log', '--replay', '/nonexistent/day.lp'], /^error: replay file \/nonexistent\/day\.lp does not exist/],
    [['log', '/dev/null', '--dotenv', '/nonexistent/.env'], /^error: env file \/nonexistent\/\.env does not exist/],
    [['log', '/dev/null', '--target', 'mysql'], /^error: --target must be one of auto, file, influx1, influx2/],
  ];
  const dir = tempDir('ltobms-usage-');
  t.after(dir.cleanup);
  // Ports that can never be serial ports, and one port twice: refused at once, not waited for.
  const file = join(dir.path, 'day.lp');
  writeFileSync(file, '');
  symlinkSync('/dev/null', join(dir.path, 'same'));
  cases.push(
    [['log', file], /^error: .*day\.lp is a regular file, not a serial port\nhint: to load a recorded file use ltobms log --replay /],
    [['log', dir.path], /^error: .* is a folder, not a serial port\nhint: name the adapter/],
    [['log', '/dev/null', '/dev/null'], /^error: \/dev\/null is named twice\nhint: name each port once/],
    [['log', '/dev/null', join(dir.path, 'same')], /^error: \/dev\/null and .*same are the same port/],
    [['log', '--replay', dir.path], /^error: replay file .* is a folder\nhint: name the files in it, e\.g\. ltobms log --replay .*\/\*\.lp/],
  );
  for (const [args, pattern] of cases) {
    const r = await runCli(args, { env: cleanEnv(), cwd: dir.path });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr);
  }
  assert.deepEqual(readdirSync(dir.path).sort(), ['day.lp', 'same'], 'nothing created (no data folder, no spool)');
});

test('--help shows examples', async () => {
  const r = await runCli(['log', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Examples:\n {2}\$ ltobms log \/dev\/ttyUSB0/);
});
