/**
 * The InfluxDB 2.x path, against a loopback HTTP listener that plays the server: it checks what the
 * v2 write API requires (shared/HARDWARE.md's original logger wrote to InfluxDB 2) and answers with
 * the statuses we script.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPtyPair, socatAvailable } from '../helpers/pty.js';
import { cleanEnv, LoggerProcess, tempDir, testFrame, waitUntil, wireLine } from './fixtures.js';

interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

/** A loopback server answering each request with the next scripted status (then 204). */
async function fakeInflux(script: { status: number; body?: string; delayMs?: number }[] = []) {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const step = script.shift() ?? { status: 204 };
      requests.push({
        method: req.method!,
        url: new URL(req.url!, 'http://x'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: step.status,
      });
      setTimeout(() => {
        res.writeHead(step.status, step.body ? { 'content-type': 'application/json' } : {});
        res.end(step.body ?? '');
      }, step.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    /** Lines the server accepted (2xx), in arrival order. */
    accepted: () => requests.filter((r) => r.status < 300).flatMap((r) => r.body.split('\n').filter(Boolean)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const TOKEN = 'tok-2f7c9e-very-secret';
const skip = socatAvailable() ? false : 'needs socat';

describe('ltobms log → InfluxDB 2.x write API', { skip }, () => {
  function v2env(url: string) {
    return cleanEnv({ INFLUXDB_URL: url, INFLUXDB_TOKEN: TOKEN, INFLUXDB_ORG: 'home lab', INFLUXDB_BUCKET: 'bms/raw' });
  }

  test('URL, org/bucket/precision, Token header and a body of re-serialised points', async (t) => {
    const server = await fakeInflux();
    const dir = tempDir('ltobms-v2-');
    const pty = await createPtyPair();
    t.after(async () => {
      await pty.close();
      await server.close();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.devicePath, '-v'], { cwd: dir.path, env: v2env(server.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    const frames = [testFrame(3, '0042'), testFrame(4, '0042'), testFrame(5, '0042')];
    for (const f of frames) await pty.write(wireLine(f) + '\r\n');
    await waitUntil('3 accepted points', () => server.accepted().length === 3, 30_000, logger.describe);

    for (const r of server.requests) {
      assert.equal(r.method, 'POST');
      assert.equal(r.url.pathname, '/api/v2/write');
      assert.equal(r.url.searchParams.get('org'), 'home lab');
      assert.equal(r.url.searchParams.get('bucket'), 'bms/raw');
      assert.equal(r.url.searchParams.get('precision'), 'ns');
      assert.equal(r.headers.authorization, `Token ${TOKEN}`);
      assert.match(String(r.headers['content-type']), /^text\/plain/);
    }
    // Body: the firmware's line plus a ns timestamp, nothing else.
    const lines = server.accepted();
    const stamps: bigint[] = [];
    lines.forEach((line, i) => {
      const m = /^(.*) (\d{19})$/.exec(line);
      assert.ok(m, line);
      assert.equal(m[1], wireLine(frames[i]!));
      stamps.push(BigInt(m[2]!));
    });
    assert.ok(stamps[0]! < stamps[1]! && stamps[1]! < stamps[2]!);
    const now = BigInt(Date.now()) * 1_000_000n;
    assert.ok(now - stamps[0]! < 60_000_000_000n && stamps[2]! <= now, 'timestamps are the host time in ns');

    assert.equal((await logger.interrupt()).code, 0);
    assert.match(logger.stderr, /InfluxDB 2\.x at http:\/\/127\.0\.0\.1:\d+, org home lab, bucket bms\/raw/);
    // The token is never printed, not even with -v.
    assert.ok(!logger.stderr.includes(TOKEN) && !logger.stdout.includes(TOKEN));
  });

  test('503 and 429 are retried from the spool: each point accepted exactly once, in order', async (t) => {
    const server = await fakeInflux([{ status: 503 }, { status: 429 }, { status: 500, body: '{"message":"internal"}' }]);
    const dir = tempDir('ltobms-v2-retry-');
    const pty = await createPtyPair();
    t.after(async () => {
      await pty.close();
      await server.close();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.devicePath, '--json'], { cwd: dir.path, env: v2env(server.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    const frames = Array.from({ length: 8 }, (_, i) => testFrame(i, '0001'));
    for (const f of frames) {
      await pty.write(wireLine(f) + '\n');
      await new Promise((r) => setTimeout(r, 60));
    }
    await waitUntil('8 accepted points', () => server.accepted().length === 8, 20_000, logger.describe);
    assert.deepEqual(server.accepted().map((l) => l.replace(/ \d+$/, '')), frames.map(wireLine));
    assert.deepEqual(server.requests.slice(0, 3).map((r) => r.status), [503, 429, 500]);
    assert.equal((await logger.interrupt()).code, 0);
    const summary = logger.jsonLines().find((l) => l.type === 'summary')!;
    assert.equal(summary.written, 8);
    assert.equal(summary.deadLettered, 0);
  });

  test('a write that times out is sent again with the same timestamps, so the server stores it once', async (t) => {
    // The first answer comes after 2.5 s, past --write-timeout 1: the server did take the points,
    // but the logger cannot know, so it sends them again.
    const server = await fakeInflux([{ status: 204, delayMs: 2500 }]);
    const dir = tempDir('ltobms-v2-timeout-');
    const pty = await createPtyPair();
    t.after(async () => {
      await pty.close();
      await server.close();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.devicePath, '--quiet', '--write-timeout', '1'], { cwd: dir.path, env: v2env(server.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.write(wireLine(testFrame(4, '0002')) + '\n');
    await logger.waitForStderr(/warning: write failed: no answer within 1 s/);
    await waitUntil('the first (slow) request answered too', () => server.requests.length >= 2 && server.accepted().length >= 2, 30_000, logger.describe);
    const accepted = server.accepted();
    // Both copies are the identical line, series and timestamp included: InfluxDB keeps one point.
    assert.equal(accepted[0], accepted[1]);
    assert.equal(accepted[0]!.replace(/ \d+$/, ''), wireLine(testFrame(4, '0002')));
    assert.equal((await logger.interrupt()).code, 0);
    assert.match(logger.stderr, /1 point written/);
  });

  test('400 is not retried: the batch goes to the dead-letter file with the server message', async (t) => {
    const message = 'partial write: field type conflict: input field "temp" on measurement "lto-bms" is type integer, already exists as type float';
    const server = await fakeInflux([{ status: 400, body: JSON.stringify({ code: 'invalid', message }) }]);
    const dir = tempDir('ltobms-v2-dead-');
    const pty = await createPtyPair();
    t.after(async () => {
      await pty.close();
      await server.close();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.devicePath, '--quiet'], { cwd: dir.path, env: v2env(server.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.write(wireLine(testFrame(1)) + '\n');
    await logger.waitForStderr(/refused 1 point/);
    await pty.write(wireLine(testFrame(2)) + '\n');
    await waitUntil('the next point accepted', () => server.accepted().length === 1, 30_000, logger.describe);
    assert.equal((await logger.interrupt()).code, 0);

    assert.match(logger.stderr, /error: the server refused 1 point\(s\) \(400\): partial write: field type conflict/);
    const deadDir = join(dir.path, 'ltobms-data', 'dead-letter');
    assert.ok(existsSync(deadDir));
    const [file] = readdirSync(deadDir);
    const dead = readFileSync(join(deadDir, file!), 'utf8').split('\n').filter(Boolean);
    assert.equal(dead.length, 2);
    assert.match(dead[0]!, /^# \S+ rejected 1 point\(s\): 400 partial write: field type conflict/);
    assert.equal(dead[1]!.replace(/ \d+$/, ''), wireLine(testFrame(1)));
    assert.equal(server.accepted()[0]!.replace(/ \d+$/, ''), wireLine(testFrame(2)));
    assert.match(logger.stderr, /1 dead-lettered/);
  });
});

describe('ltobms log → InfluxDB 1.x with a user and a retention policy', { skip }, () => {
  test('POST /write?db&rp&precision=ns with HTTP basic auth; the password is never printed', async (t) => {
    const server = await fakeInflux();
    const dir = tempDir('ltobms-v1-auth-');
    const pty = await createPtyPair();
    t.after(async () => {
      await pty.close();
      await server.close();
      dir.cleanup();
    });
    const env = cleanEnv({ INFLUXDB_URL: server.url, INFLUXDB_DB: 'home', INFLUXDB_USER: 'logger', INFLUXDB_PASSWORD: 'pa55-w0rd-xyz', INFLUXDB_RP: 'one_year' });
    const logger = new LoggerProcess([pty.devicePath, '-v'], { cwd: dir.path, env });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.write(wireLine(testFrame(7, '1234')) + '\n');
    await waitUntil('1 accepted point', () => server.accepted().length === 1, 30_000, logger.describe);
    const r = server.requests[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.url.pathname, '/write');
    assert.deepEqual(Object.fromEntries(r.url.searchParams), { db: 'home', rp: 'one_year', precision: 'ns' });
    // RFC 7617: "Basic " + base64("user:password").
    assert.equal(r.headers.authorization, `Basic ${Buffer.from('logger:pa55-w0rd-xyz').toString('base64')}`);
    assert.equal(r.body.replace(/ \d+$/, ''), wireLine(testFrame(7, '1234')));
    assert.equal((await logger.interrupt()).code, 0);
    assert.match(logger.stderr, /InfluxDB 1\.x at http:\/\/127\.0\.0\.1:\d+, database home, retention policy one_year, user logger/);
    assert.ok(!logger.stderr.includes('pa55-w0rd-xyz') && !logger.stdout.includes('pa55-w0rd-xyz'));
  });
});
