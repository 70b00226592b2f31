/**
 * The Grafana dashboards' queries, run where this machine can run them.
 *
 * InfluxQL (the 1.x dashboard): the demo runs, `ltobms log --replay` loads its file into a real
 * influxd 1.x, and every panel's query and the board variable's query run there with Grafana's
 * macros filled in, returning the series and values the panel would draw.
 *
 * Flux (the 2.x dashboard): no InfluxDB 2.x runs here (no Docker engine, no Debian package), so
 * each query is parsed and type-checked by libflux itself (the compiler InfluxDB 2.x runs, as
 * WebAssembly) with Grafana's `v` record defined, and its pipeline is checked to window before it
 * projects (keep/map/pivot after aggregateWindow: keep first would drop the _start/_stop columns
 * aggregateWindow needs). What is not checked: running the Flux against real data.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { influxdAvailable, startInfluxd, type InfluxdServer } from '../helpers/influxdb.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { socatAvailable } from '../../src/serial/pty.js';
import { cleanEnv } from './fixtures.js';
import { loadFlux, type FluxChecker } from './flux.js';

interface Dashboard {
  uid: string;
  title: string;
  panels: { id: number; title: string; datasource: { uid: string }; targets: { query: string; rawQuery?: boolean }[] }[];
  templating: { list: { name: string; query: string; datasource: { uid: string } }[] };
}
const dashboardDir = join(REPO_ROOT, 'docker', 'grafana', 'dashboards');
const dashboards = readdirSync(dashboardDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dashboardDir, f), 'utf8')) as Dashboard);
const fluxBoard = dashboards.find((d) => d.panels.every((p) => p.datasource.uid === 'ltobms-influxdb'))!;
const influxqlBoard = dashboards.find((d) => d.panels.every((p) => p.datasource.uid === 'ltobms-influxdb1'))!;

test('two dashboards: one for InfluxDB 2.x (Flux), one for 1.x (InfluxQL), the same panels', () => {
  assert.ok(fluxBoard && influxqlBoard, dashboards.map((d) => d.title).join(', '));
  assert.notEqual(fluxBoard.uid, influxqlBoard.uid);
  assert.deepEqual(influxqlBoard.panels.map((p) => p.title), fluxBoard.panels.map((p) => p.title));
});

describe('the 2.x dashboard\'s Flux, checked by libflux', () => {
  let flux: FluxChecker;
  before(async () => {
    flux = await loadFlux();
  });

  /** The query as Grafana sends it: its `v` record defined, template variables filled in. */
  function asSent(query: string): string {
    const filled = query.replaceAll('${bucket}', 'bms').replaceAll('${id:regex}', '(0007|002A)');
    const lines = filled.split('\n');
    const imports = lines.filter((l) => l.startsWith('import '));
    const rest = lines.filter((l) => !l.startsWith('import '));
    return [...imports, 'v = {timeRangeStart: -3h, timeRangeStop: now(), windowPeriod: 1m}', ...rest].join('\n');
  }

  test('the checker is real: it refuses an unknown function and a type error', () => {
    const ok = 'from(bucket: "b") |> range(start: -1h) |> aggregateWindow(every: 1m, fn: mean)';
    assert.equal(flux.isValid(ok), true);
    assert.equal(flux.isValid(ok.replace('mean', 'meen')), false);
    assert.equal(flux.isValid(ok.replace('1m', '"1m"')), false);
  });

  test('every panel and variable query parses and type-checks', () => {
    const queries = [...fluxBoard.panels.flatMap((p) => p.targets.map((t) => [p.title, t.query])), ...fluxBoard.templating.list.map((v) => [`variable ${v.name}`, v.query])];
    for (const [what, query] of queries) assert.equal(flux.isValid(asSent(query!)), true, `${what}:\n${asSent(query!)}`);
  });

  test('every panel windows before it projects: aggregateWindow, then keep/map/pivot', () => {
    for (const p of fluxBoard.panels) {
      const stages = flux.pipeline(asSent(p.targets[0]!.query));
      const windowAt = stages.indexOf('aggregateWindow');
      assert.ok(windowAt > 0, `${p.title}: ${stages.join(' → ')}`);
      assert.deepEqual(stages.slice(0, windowAt), ['from', 'range', 'filter', 'filter', 'filter'], p.title);
      for (const later of ['keep', 'drop', 'map', 'pivot']) {
        const at = stages.indexOf(later);
        assert.ok(at === -1 || at > windowAt, `${p.title}: ${later} comes after aggregateWindow (${stages.join(' → ')})`);
      }
    }
    // The order this replaced is caught.
    const old = 'from(bucket: "b") |> range(start: -1h) |> keep(columns: ["_time", "_value"]) |> aggregateWindow(every: 1m, fn: mean)';
    assert.deepEqual(flux.pipeline(old), ['from', 'range', 'keep', 'aggregateWindow']);
  });
});

const skip = !influxdAvailable() ? 'needs influxd' : !socatAvailable() ? 'needs socat' : false;

interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

describe('the 1.x dashboard\'s InfluxQL against influxd, after a replay of the demo', { skip, timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-dashboards-'));
  const START = '2026-01-01T00:00:00Z';
  let db: InfluxdServer;
  let firstNs = 0n;
  let lastNs = 0n;

  async function influxql(q: string): Promise<Series[]> {
    const r = await fetch(`${db.url}/query?${new URLSearchParams({ db: db.database, q, epoch: 'ms' })}`);
    const body = (await r.json()) as { results: { series?: Series[]; error?: string }[]; error?: string };
    const result = body.results?.[0];
    assert.ok(r.ok && !body.error && !result?.error, `${q}\n→ ${body.error ?? result?.error}`);
    return result?.series ?? [];
  }

  /** The query as Grafana sends it for the demo's three hours, 5-minute windows, board `id`. */
  const asSent = (query: string, id: string) =>
    query
      .replaceAll('$timeFilter', `time >= ${firstNs - 60_000_000_000n} AND time <= ${lastNs + 60_000_000_000n}`)
      .replaceAll('$__interval', '5m')
      .replaceAll('${id:regex}', id);

  before(async () => {
    // --start: the simulated run is stamped as if it began then (the browser test covers the default).
    const demo = await runCli(['demo', '--build-dir', join(dir, 'build'), '--out-dir', join(dir, 'log'), '--start', START, '--json'], { cwd: dir, timeoutMs: 150_000 });
    assert.equal(demo.code, 0, demo.stderr);
    const files = (JSON.parse(demo.stdout) as { files: string[] }).files;
    db = await startInfluxd({ database: 'bms' });
    const replay = await runCli(['log', '--replay', ...files], { cwd: dir, env: cleanEnv({ INFLUXDB_URL: db.url, INFLUXDB_DB: 'bms' }), timeoutMs: 60_000 });
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stderr, /180 points written to InfluxDB 1\.x/);
    const [first] = await db.query('SELECT "uptime" FROM "lto-bms" ORDER BY time ASC LIMIT 1');
    const [last] = await db.query('SELECT "uptime" FROM "lto-bms" ORDER BY time DESC LIMIT 1');
    firstNs = BigInt(first!.time as string);
    lastNs = BigInt(last!.time as string);
  });
  after(async () => {
    await db?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the replayed demo spans its simulated three hours from --start: first to last frame ≥ 10,000 s', () => {
    const seconds = Number(lastNs - firstNs) / 1e9;
    assert.ok(seconds >= 10_000, `${seconds} s`);
    // The first frame is sent a few ms of simulated time after the firmware starts.
    const afterStart = Number(firstNs - BigInt(Date.parse(START)) * 1_000_000n) / 1e9;
    assert.ok(afterStart >= 0 && afterStart < 1, `first frame ${afterStart} s after --start`);
  });

  test('the board variable lists the demo board', async () => {
    const v = influxqlBoard.templating.list.find((x) => x.name === 'id')!;
    const series = await influxql(v.query);
    assert.deepEqual(series.flatMap((s) => s.values.map((row) => row[1])), ['0007']);
  });

  test('every panel query returns the board\'s series, window by window, with the values the panel shows', async () => {
    const columnValues = new Map<string, number[] | string[]>();
    for (const p of influxqlBoard.panels) {
      const query = p.targets[0]!.query;
      assert.ok(p.targets[0]!.rawQuery, `${p.title}: raw InfluxQL`);
      for (const id of ['0007', '.*']) {
        const series = await influxql(asSent(query, id));
        assert.equal(series.length, 1, `${p.title} (id ${id}): one series`);
        const s = series[0]!;
        assert.equal(s.name, 'lto-bms');
        assert.deepEqual(s.tags, { id: '0007' });
        // 2 h 59 min of frames in 5-minute windows.
        assert.ok(s.values.length >= 36 && s.values.length <= 38, `${p.title}: ${s.values.length} windows`);
        for (const row of s.values) assert.ok(row.every((v) => v !== null), `${p.title}: ${JSON.stringify(row)}`);
        s.columns.slice(1).forEach((c, i) => columnValues.set(c, s.values.map((row) => row[i + 1]) as number[]));
      }
    }
    const nums = (c: string) => columnValues.get(c) as number[];
    assert.deepEqual([...columnValues.keys()].sort(), ['E_chg', 'E_dis', 'charge', 'current', 'gain', 'power', 'state', 'temp', 'uptime', 'v_batt', 'v_load']);
    assert.ok(nums('v_batt').every((v) => v > 1.5 && v < 3), 'cell voltage in volts');
    assert.ok(nums('temp').every((t) => t > 20 && t < 30), 'temperature in °C');
    assert.ok(Math.min(...nums('current')) < -500 && Math.max(...nums('current')) > 300, 'charging and discharging current');
    assert.ok(Math.min(...nums('power')) < 0 && Math.max(...nums('power')) > 0, 'power both ways');
    assert.ok(nums('E_chg').at(-1)! > 1 && nums('E_dis').at(-1)! > 0.1, 'energy counters in Wh');
    assert.ok(nums('uptime').at(-1)! >= 10_000, 'uptime');
    const states = new Set(columnValues.get('state') as string[]);
    for (const s of ['BMS_STATE_UVLO', 'BMS_STATE_CHARGING', 'BMS_STATE_DISCHARGING']) assert.ok(states.has(s), `${s} in ${[...states].join(' ')}`);
  });
});
