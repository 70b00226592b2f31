/**
 * A credential given anywhere (in the URL as `user:password@`, `?u=…&p=…` or `?token=…`, or in
 * INFLUXDB_TOKEN / INFLUXDB_PASSWORD) never reaches the terminal: every byte of stdout and stderr
 * of failing and succeeding runs, with -v and --json, is searched for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addSecrets, redact } from '../../src/logging/redact.js';
import { resolveConfig } from '../../src/logging/config.js';
import { runCli } from '../helpers/cli.js';
import { cleanEnv, fakeInflux, LoggerProcess, tempDir, testFrame, wireLine } from './fixtures.js';

test('redact masks URL credentials by shape and registered secrets by value', () => {
  assert.equal(redact('http://admin:hunter22@h:8086/x'), 'http://admin:***@h:8086/x');
  assert.equal(redact('at https://tok123@h/'), 'at https://***@h/');
  assert.equal(redact('http://h/?u=admin&p=pw&db=bms'), 'http://h/?u=***&p=***&db=bms');
  assert.equal(redact('"http://h/write?token=abc&org=o"'), '"http://h/write?token=***&org=o"');
  addSecrets('Zq9-registered-secret');
  assert.equal(redact('server said: bad token Zq9-registered-secret'), 'server said: bad token ***');
  assert.equal(redact('encoded Zq9-registered-secret%21'), 'encoded ***%21');
});

test('credentials in the URL are taken out of it and used as the user, password or token', () => {
  const v1 = resolveConfig({ flags: {}, env: { INFLUXDB_DB: 'bms', INFLUXDB_URL: 'http://h:8086/?u=admin&p=pw1' }, cwd: '/nonexistent' }).target;
  assert.deepEqual(v1, { kind: 'influx1', url: 'http://h:8086', db: 'bms', user: 'admin', password: 'pw1' });
  const v1b = resolveConfig({ flags: {}, env: { INFLUXDB_DB: 'bms', INFLUXDB_URL: 'http://admin:p%40ss@h:8086/proxy/' }, cwd: '/nonexistent' }).target;
  assert.deepEqual(v1b, { kind: 'influx1', url: 'http://h:8086/proxy', db: 'bms', user: 'admin', password: 'p@ss' });
  // The key wins over the URL.
  const v1c = resolveConfig({ flags: {}, env: { INFLUXDB_DB: 'bms', INFLUXDB_PASSWORD: 'keyed', INFLUXDB_URL: 'http://h/?u=a&p=url' }, cwd: '/nonexistent' }).target;
  assert.equal((v1c as { password: string }).password, 'keyed');
  const v2 = resolveConfig({ flags: {}, env: { INFLUXDB_URL: 'https://h/?token=t0k', INFLUXDB_ORG: 'o', INFLUXDB_BUCKET: 'b' }, cwd: '/nonexistent' }).target;
  assert.deepEqual(v2, { kind: 'influx2', url: 'https://h', token: 't0k', org: 'o', bucket: 'b' });
});

test('a URL that cannot work is exit 2 at start, the URL shown redacted', async (t) => {
  const dir = tempDir('ltobms-url-');
  t.after(dir.cleanup);
  const cases: [Record<string, string>, RegExp][] = [
    [{ INFLUXDB_URL: 'http://admin:S3CRET-a@h:99999/', INFLUXDB_DB: 'bms' }, /^error: INFLUXDB_URL "http:\/\/admin:\*\*\*@h:99999\/" has port 99999, outside 1–65535\nhint: /],
    [{ INFLUXDB_URL: 'http://h:0', INFLUXDB_DB: 'bms' }, /has port 0, outside 1–65535/],
    [{ INFLUXDB_URL: 'http://[::1/?u=x&p=S3CRET-b', INFLUXDB_DB: 'bms' }, /^error: INFLUXDB_URL "http:\/\/\[::1\/\?u=\*\*\*&p=\*\*\*" is not a URL/],
    [{ INFLUXDB_URL: 'ftp://u:S3CRET-c@h/', INFLUXDB_DB: 'bms' }, /^error: INFLUXDB_URL must start with http:\/\/ or https:\/\/, not ftp:/],
    [{ INFLUXDB_URL: 'http://h:8086/?db=bms&p=S3CRET-d', INFLUXDB_DB: 'bms' }, /^error: INFLUXDB_URL "http:\/\/h:8086\/\?db=bms&p=\*\*\*" has a query or fragment that ltobms cannot use/],
    [{ INFLUXDB_URL: 'http://a:S3CRET-e@h:8086', INFLUXDB_TOKEN: 'S3CRET-f', INFLUXDB_ORG: 'o', INFLUXDB_BUCKET: 'b' }, /^error: InfluxDB 2.x takes a token, not a user name and password/],
  ];
  for (const [env, pattern] of cases) {
    const r = await runCli(['log', '/dev/ttyUSB0', '-v', '--json'], { env: cleanEnv(env), cwd: dir.path });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /S3CRET/);
  }
});

test('failing and succeeding runs with credentials in the URL and the keys never print them', async (t) => {
  const dir = tempDir('ltobms-secret-');
  t.after(dir.cleanup);
  const file = join(dir.path, 'day.lp');
  writeFileSync(file, [0, 1, 2].map((i) => `${wireLine(testFrame(i))} ${1_700_000_000_000_000_000 + i * 60e9}`).join('\n') + '\n');
  const outputs: string[] = [];

  // 1.x refusing the points (400): the server's message quotes the password; the replay fails.
  const refusing = await fakeInflux(400);
  t.after(() => refusing.server.close());
  const r1 = await runCli(['log', '--replay', file, '--json', '-v', '--data-dir', join(dir.path, 'd1')], {
    env: cleanEnv({ INFLUXDB_URL: `${refusing.url}/?u=admin&p=S3CRET-url-pw`, INFLUXDB_DB: 'bms' }),
    cwd: dir.path,
  });
  assert.equal(r1.code, 1, r1.stderr);
  assert.match(r1.stderr, /error: the server refused 3 point\(s\) \(400\)/);
  outputs.push(r1.stdout + r1.stderr);
  const sent = refusing.requests[0]!;
  assert.equal(Buffer.from(sent.headers.authorization!.slice(6), 'base64').toString(), 'admin:S3CRET-url-pw', 'the URL credentials are used');
  assert.doesNotMatch(sent.url!, /S3CRET|u=admin/, 'and not sent in the query');

  // 1.x succeeding, with user:password@ in the URL.
  const storing = await fakeInflux(204);
  t.after(() => storing.server.close());
  const r2 = await runCli(['log', '--replay', file, '--json', '-v', '--data-dir', join(dir.path, 'd2')], {
    env: cleanEnv({ INFLUXDB_URL: storing.url.replace('//', '//admin:S3CRET-userinfo@'), INFLUXDB_DB: 'bms' }),
    cwd: dir.path,
  });
  assert.equal(r2.code, 0, r2.stderr);
  assert.equal((JSON.parse(r2.stdout.trim().split('\n').pop()!) as { written: number }).written, 3);
  outputs.push(r2.stdout + r2.stderr);

  // 2.x with ?token= in the URL, then with INFLUXDB_TOKEN, the server failing (503, retried) and
  // quoting the token: stopped with Ctrl-C.
  const failing = await fakeInflux(503);
  t.after(() => failing.server.close());
  const envs: Record<string, string>[] = [
    { INFLUXDB_URL: `${failing.url}?token=S3CRET-url-token`, INFLUXDB_ORG: 'o', INFLUXDB_BUCKET: 'b' },
    { INFLUXDB_URL: failing.url, INFLUXDB_TOKEN: 'S3CRET-env-token', INFLUXDB_ORG: 'o', INFLUXDB_BUCKET: 'b' },
  ];
  for (const [i, env] of envs.entries()) {
    const logger = new LoggerProcess(['--replay', file, '--json', '-v', '--drain-timeout', '1', '--data-dir', join(dir.path, `d3-${i}`)], { cwd: dir.path, env: cleanEnv(env) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/warning: write failed: the server answered 503/);
    await logger.interrupt();
    assert.match(logger.stdout, /"leftInSpool":3/);
    outputs.push(logger.stdout + logger.stderr);
  }
  assert.ok(failing.requests.some((r) => r.headers.authorization === 'Token S3CRET-url-token'), 'the URL token is used');

  for (const out of outputs) assert.doesNotMatch(out, /S3CRET/, out);
});
