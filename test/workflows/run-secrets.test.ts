// `ltobms run` tails into the same targets as `ltobms log`, so the same rule holds: a credential in
// the URL (`user:password@`, `?u=…&p=…`, `?token=…`) or in INFLUXDB_TOKEN never reaches stdout or
// stderr — not in the refusal, retry and summary lines, not in `--json`, not with -v, not in the
// error of a URL that cannot work. Every byte of each run's output is searched for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cleanEnv, fakeInflux } from '../logging/fixtures.js';
import { startCli } from '../production/harness.js';

test('run never prints a credential of its log target: bad URL, refusing server, failing server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-run-secret-'));
  // One build for every run (incremental after the first).
  const common = ['run', '--sim', '--sim-state', join(dir, 'board.json'), '--out', join(dir, 'build'), '--fw-version', 'v3.3-test', '--json', '-v'];
  const outputs: string[] = [];

  // A URL that cannot work: refused at start (exit 2), shown redacted, before anything is built.
  const bad = await runCli(common, { cwd: dir, env: cleanEnv({ INFLUXDB_URL: 'http://admin:S3CRET-bad@127.0.0.1:99999/', INFLUXDB_DB: 'bms' }) });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /^error: INFLUXDB_URL "http:\/\/admin:\*\*\*@127\.0\.0\.1:99999\/" has port 99999/m);
  outputs.push(bad.stdout + bad.stderr);

  // 1.x refusing the points (400) and quoting the credentials back; then 2.x failing (503) with
  // the token in the URL and in the key. Each tail runs until a frame met the server, then Ctrl-C.
  const refusing = await fakeInflux(400);
  t.after(() => refusing.server.close());
  const failing = await fakeInflux(503);
  t.after(() => failing.server.close());
  const cases: { env: Record<string, string>; shows: RegExp }[] = [
    { env: { INFLUXDB_URL: `${refusing.url}/?u=admin&p=S3CRET-run-pw`, INFLUXDB_DB: 'bms' }, shows: /error: the server refused \d+ point\(s\) \(400\)/ },
    { env: { INFLUXDB_URL: refusing.url.replace('//', '//admin:S3CRET-userinfo@'), INFLUXDB_DB: 'bms' }, shows: /error: the server refused \d+ point\(s\) \(400\)/ },
    { env: { INFLUXDB_URL: `${failing.url}?token=S3CRET-url-token`, INFLUXDB_ORG: 'o', INFLUXDB_BUCKET: 'b' }, shows: /warning: write failed: the server answered 503/ },
    { env: { INFLUXDB_URL: failing.url, INFLUXDB_TOKEN: 'S3CRET-env-token', INFLUXDB_ORG: 'o', INFLUXDB_BUCKET: 'b' }, shows: /warning: write failed: the server answered 503/ },
  ];
  for (const [i, c] of cases.entries()) {
    const cli = startCli([...common, '--speed', '60'], { cwd: dir, env: cleanEnv({ ...c.env, LTOBMS_DATA_DIR: join(dir, `data-${i}`) }) });
    t.after(() => cli.child.kill('SIGKILL'));
    await cli.waitFor(c.shows, { timeoutMs: 60_000 });
    cli.child.kill('SIGINT');
    const end = await cli.exited;
    assert.equal(end.code, 0, cli.lines.join('\n'));
    assert.match(cli.stdout(), /"type":"summary"/);
    outputs.push(cli.stdout() + cli.lines.join('\n'));
  }
  assert.ok(refusing.requests.length >= 2 && failing.requests.length >= 2, 'every tail reached its server');
  assert.ok(failing.requests.some((r) => r.headers.authorization === 'Token S3CRET-url-token'), 'the URL token is used');
  for (const out of outputs) assert.doesNotMatch(out, /S3CRET/, out);
});
