/**
 * The InfluxDB 2.x write path against a real server that is not ours: VictoriaMetrics, which
 * accepts InfluxDB's `/api/v2/write` (and 1.x `/write`). A loopback proxy in front of it records
 * each request (so the URL, the headers and the body can be checked) and can inject the failures a
 * server shows now and then (503, 429, a slow answer, a 400) before passing requests on; what was
 * stored is read back from VictoriaMetrics itself.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SocatPty, socatAvailable } from '../../src/serial/pty.js';
import { startVictoria, victoriaAvailable, type VictoriaServer } from '../helpers/victoria.js';
import { cleanEnv, LoggerProcess, tempDir, testFrame, waitUntil, wireLine, type TestFrame } from './fixtures.js';

interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

/** What the proxy does with one request: pass it on (after a delay), or answer it itself. */
type Step = { forward: true; delayMs?: number } | { status: number; body?: string };

/**
 * A recording proxy in front of the server: each request takes the next scripted step (then: pass
 * on). A passed-on request gets the server's own status and body.
 */
async function observe(server: VictoriaServer, script: Step[] = []) {
  const target = new URL(server.url);
  const requests: Received[] = [];
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const step = script.shift() ?? { forward: true };
      const record: Received = { method: req.method!, url: new URL(req.url!, 'http://x'), headers: req.headers, body: body.toString('utf8'), status: 0 };
      requests.push(record);
      if (!('forward' in step)) {
        record.status = step.status;
        res.writeHead(step.status, step.body ? { 'content-type': 'application/json' } : {});
        res.end(step.body ?? '');
        return;
      }
      const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () =>
          setTimeout(() => {
            record.status = answer.statusCode!;
            res.writeHead(answer.statusCode!, answer.headers);
            res.end(Buffer.concat(parts));
          }, step.delayMs ?? 0),
        );
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => proxy.close(() => resolve())),
  };
}

/** What the server stored for a board: one row per timestamp with every integer field. */
async function stored(server: VictoriaServer, id: string, labels: Record<string, string> = {}) {
  const fields = ['uptime', 'v_batt', 'v_load', 'current', 'E_dis', 'E_chg', 'charge', 'temp', 'gain'] as const;
  const rows = new Map<number, Record<string, number>>();
  for (const field of fields) {
    for (const s of await server.samples(`lto-bms_${field}`, { id, ...labels })) {
      const row = rows.get(s.ms) ?? { ms: s.ms };
      row[field] = s.value;
      rows.set(s.ms, row);
    }
  }
  return [...rows.values()].sort((a, b) => a.ms! - b.ms!);
}

/** The integer fields of a test frame, as the server should hold them. */
const numbers = (f: TestFrame) => ({ uptime: f.uptime, v_batt: f.v_batt, v_load: f.v_load, current: f.current, E_dis: f.E_dis, E_chg: f.E_chg, charge: f.charge, temp: f.temp, gain: f.gain });
const withoutMs = (row: Record<string, number>) => Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'ms'));

const TOKEN = 'tok-2f7c9e-very-secret';
const skip = !socatAvailable() ? 'needs socat' : !victoriaAvailable() ? 'needs victoria-metrics' : false;

describe('ltobms log → InfluxDB 2.x write API, stored by VictoriaMetrics', { skip }, () => {
  function v2env(url: string) {
    return cleanEnv({ INFLUXDB_URL: url, INFLUXDB_TOKEN: TOKEN, INFLUXDB_ORG: 'home lab', INFLUXDB_BUCKET: 'bms/raw' });
  }

  test('URL, org/bucket/precision, Token header, re-serialised points: stored with their values and timestamps', async (t) => {
    const vm = await startVictoria();
    const proxy = await observe(vm);
    const dir = tempDir('ltobms-v2-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      await proxy.close();
      await vm.cleanup();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.portPath, '-v'], { cwd: dir.path, env: v2env(proxy.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    const frames = [testFrame(3, '0042'), testFrame(4, '0042'), testFrame(5, '0042')];
    // One frame at a time, as the firmware sends them: the server keeps ms, so frames stamped within
    // one millisecond (several lines in one read) would land on one timestamp.
    for (const [i, f] of frames.entries()) {
      await pty.send(wireLine(f) + '\r\n');
      await waitUntil(`frame ${i + 1} shown`, () => logger.stdout.split('\n').filter((l) => / 0042 /.test(l)).length === i + 1, 30_000, logger.describe);
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitUntil('3 points stored', async () => (await stored(vm, '0042')).length === 3, 30_000, logger.describe);

    for (const r of proxy.requests) {
      assert.equal(r.method, 'POST');
      assert.equal(r.url.pathname, '/api/v2/write');
      assert.equal(r.url.searchParams.get('org'), 'home lab');
      assert.equal(r.url.searchParams.get('bucket'), 'bms/raw');
      assert.equal(r.url.searchParams.get('precision'), 'ns');
      assert.equal(r.headers.authorization, `Token ${TOKEN}`);
      assert.match(String(r.headers['content-type']), /^text\/plain/);
      assert.equal(r.status, 204);
    }
    // Body: the firmware's line plus a ns timestamp, nothing else.
    const lines = proxy.requests.flatMap((r) => r.body.split('\n').filter(Boolean));
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
    // The server holds every field of every frame at the frame's timestamp (to its ms resolution).
    const rows = await stored(vm, '0042');
    assert.deepEqual(rows.map((r) => r.ms), stamps.map((s) => Number(s / 1_000_000n)));
    assert.deepEqual(rows.map(withoutMs), frames.map(numbers));

    assert.equal((await logger.interrupt()).code, 0);
    assert.match(logger.stderr, /InfluxDB 2\.x at http:\/\/127\.0\.0\.1:\d+, org home lab, bucket bms\/raw/);
    // The token is never printed, not even with -v.
    assert.ok(!logger.stderr.includes(TOKEN) && !logger.stdout.includes(TOKEN));
  });

  test('503 and 429 are retried from the spool: each point stored exactly once, in order', async (t) => {
    const vm = await startVictoria();
    const proxy = await observe(vm, [{ status: 503 }, { status: 429 }, { status: 500, body: '{"message":"internal"}' }]);
    const dir = tempDir('ltobms-v2-retry-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      await proxy.close();
      await vm.cleanup();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.portPath, '--json'], { cwd: dir.path, env: v2env(proxy.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    const frames = Array.from({ length: 8 }, (_, i) => testFrame(i, '0001'));
    for (const f of frames) {
      await pty.send(wireLine(f) + '\n');
      await new Promise((r) => setTimeout(r, 60));
    }
    await waitUntil('8 points stored', async () => (await stored(vm, '0001')).length === 8, 20_000, logger.describe);
    assert.deepEqual((await stored(vm, '0001')).map(withoutMs), frames.map(numbers));
    assert.deepEqual(proxy.requests.slice(0, 3).map((r) => r.status), [503, 429, 500]);
    assert.equal((await logger.interrupt()).code, 0);
    const summary = logger.jsonLines().find((l) => l.type === 'summary')!;
    assert.equal(summary.written, 8);
    assert.equal(summary.deadLettered, 0);
  });

  test('a write that times out is sent again with the same timestamps, so the server stores it once', async (t) => {
    // The server takes the first request at once, but its answer comes after 2.5 s, past
    // --write-timeout 1: the logger cannot know the points arrived, so it sends them again.
    const vm = await startVictoria();
    const proxy = await observe(vm, [{ forward: true, delayMs: 2500 }]);
    const dir = tempDir('ltobms-v2-timeout-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      await proxy.close();
      await vm.cleanup();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.portPath, '--quiet', '--write-timeout', '1'], { cwd: dir.path, env: v2env(proxy.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.send(wireLine(testFrame(4, '0002')) + '\n');
    await logger.waitForStderr(/warning: write failed: no answer within 1 s/);
    await waitUntil('the point sent twice, both answered', () => proxy.requests.filter((r) => r.status === 204).length >= 2, 30_000, logger.describe);
    // Both copies are the identical line, series and timestamp included: the server keeps one point.
    assert.equal(proxy.requests[0]!.body, proxy.requests[1]!.body);
    assert.equal(proxy.requests[0]!.body.replace(/ \d+$/, ''), wireLine(testFrame(4, '0002')));
    assert.deepEqual((await stored(vm, '0002')).map(withoutMs), [numbers(testFrame(4, '0002'))]);
    assert.equal((await logger.interrupt()).code, 0);
    assert.match(logger.stderr, /1 point written/);
  });

  test('400 is not retried: the batch goes to the dead-letter file with the server message', async (t) => {
    // VictoriaMetrics answers 204 even to lines it drops, so the refusal an InfluxDB gives on a
    // field-type conflict is injected; the next point then reaches the server.
    const message = 'partial write: field type conflict: input field "temp" on measurement "lto-bms" is type integer, already exists as type float';
    const vm = await startVictoria();
    const proxy = await observe(vm, [{ status: 400, body: JSON.stringify({ code: 'invalid', message }) }]);
    const dir = tempDir('ltobms-v2-dead-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      await proxy.close();
      await vm.cleanup();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.portPath, '--quiet'], { cwd: dir.path, env: v2env(proxy.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.send(wireLine(testFrame(1)) + '\n');
    await logger.waitForStderr(/refused 1 point/);
    await pty.send(wireLine(testFrame(2)) + '\n');
    await waitUntil('the next point stored', async () => (await stored(vm, '0007')).length === 1, 30_000, logger.describe);
    assert.equal((await logger.interrupt()).code, 0);

    assert.match(logger.stderr, /error: the server refused 1 point\(s\) \(400\): partial write: field type conflict/);
    const deadDir = join(dir.path, 'ltobms-data', 'dead-letter');
    assert.ok(existsSync(deadDir));
    const [file] = readdirSync(deadDir);
    const dead = readFileSync(join(deadDir, file!), 'utf8').split('\n').filter(Boolean);
    assert.equal(dead.length, 2);
    assert.match(dead[0]!, /^# \S+ rejected 1 point\(s\): 400 partial write: field type conflict/);
    assert.equal(dead[1]!.replace(/ \d+$/, ''), wireLine(testFrame(1)));
    assert.deepEqual((await stored(vm, '0007')).map(withoutMs), [numbers(testFrame(2))]);
    assert.match(logger.stderr, /1 dead-lettered/);
  });

  test('a server that refuses the token (401) keeps the points in the spool for the next run', async (t) => {
    // VictoriaMetrics with basic auth answers a Token header with a real 401.
    const vm = await startVictoria({ basicAuth: { user: 'grafana', password: 'other-secret' } });
    const dir = tempDir('ltobms-v2-401-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      await vm.cleanup();
      dir.cleanup();
    });
    const logger = new LoggerProcess([pty.portPath, '--json'], { cwd: dir.path, env: v2env(vm.url) });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.send(wireLine(testFrame(6, '0003')) + '\n');
    await logger.waitForStderr(/warning: write failed: the server answered 401.*kept in the spool, retrying/);
    assert.equal((await logger.interrupt()).code, 0);
    const summary = logger.jsonLines().find((l) => l.type === 'summary')!;
    assert.equal(summary.written, 0);
    assert.equal(summary.deadLettered, 0);
    assert.equal(summary.leftInSpool, 1);
  });
});

describe('ltobms log → InfluxDB 1.x with a user and a retention policy, stored by VictoriaMetrics', { skip }, () => {
  test('POST /write?db&rp&precision=ns with HTTP basic auth the server checks; the password is never printed', async (t) => {
    const vm = await startVictoria({ basicAuth: { user: 'logger', password: 'pa55-w0rd-xyz' } });
    const proxy = await observe(vm);
    const dir = tempDir('ltobms-v1-auth-');
    const pty = await SocatPty.open();
    t.after(async () => {
      await pty.close();
      await proxy.close();
      await vm.cleanup();
      dir.cleanup();
    });
    const env = cleanEnv({ INFLUXDB_URL: proxy.url, INFLUXDB_DB: 'home', INFLUXDB_USER: 'logger', INFLUXDB_PASSWORD: 'pa55-w0rd-xyz', INFLUXDB_RP: 'one_year' });
    const logger = new LoggerProcess([pty.portPath, '-v'], { cwd: dir.path, env });
    t.after(() => logger.kill9());
    await logger.waitForStderr(/reading /);
    await pty.send(wireLine(testFrame(7, '1234')) + '\n');
    await waitUntil('1 stored point', async () => (await stored(vm, '1234', { db: 'home' })).length === 1, 30_000, logger.describe);
    const r = proxy.requests[0]!;
    assert.equal(r.method, 'POST');
    assert.equal(r.url.pathname, '/write');
    assert.deepEqual(Object.fromEntries(r.url.searchParams), { db: 'home', rp: 'one_year', precision: 'ns' });
    // RFC 7617: "Basic " + base64("user:password"); the server would have answered 401 otherwise.
    assert.equal(r.headers.authorization, `Basic ${Buffer.from('logger:pa55-w0rd-xyz').toString('base64')}`);
    assert.equal(r.status, 204);
    assert.equal(r.body.replace(/ \d+$/, ''), wireLine(testFrame(7, '1234')));
    assert.deepEqual((await stored(vm, '1234', { db: 'home' })).map(withoutMs), [numbers(testFrame(7, '1234'))]);
    assert.equal((await logger.interrupt()).code, 0);
    assert.match(logger.stderr, /InfluxDB 1\.x at http:\/\/127\.0\.0\.1:\d+, database home, retention policy one_year, user logger/);
    assert.ok(!logger.stderr.includes('pa55-w0rd-xyz') && !logger.stdout.includes('pa55-w0rd-xyz'));
  });
});
