/**
 * A real InfluxDB 1.x server (Debian's `influxd`) for end-to-end tests, on loopback only.
 *
 * API:
 *   const db = await startInfluxd({ database: 'bms' });   // waits for /ping, creates the database
 *   db.url            'http://127.0.0.1:<port>' (the HTTP API; the RPC listener is on another free loopback port)
 *   db.database       the database created at start
 *   await db.query('SELECT * FROM "lto-bms"')     → rows as objects ({ time: '<ns as a string>', id, uptime, ... })
 *   await db.count('lto-bms')                      → number of points in the measurement (0 if it does not exist)
 *   await db.fieldTypes('lto-bms')                 → { uptime: 'integer', state: 'string', ... }
 *   await db.stop()       SIGTERM, waits until it has exited (the data stays)
 *   await db.start()      starts it again on the same port and data dir
 *   await db.cleanup()    stops it (SIGKILL if needed) and deletes the temp dir; safe to call twice.
 * Use `after(() => db.cleanup())` / `t.after(...)`; a process 'exit' hook also kills a forgotten server
 * and deletes its folder.
 * `influxdAvailable()` says whether the binary is installed (CI installs the `influxdb` package).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface InfluxdServer {
  readonly url: string;
  readonly port: number;
  readonly database: string;
  readonly dir: string;
  /** Server output so far (stderr + stdout), for failure messages. */
  readonly output: () => string;
  query(q: string): Promise<Record<string, unknown>[]>;
  count(measurement: string): Promise<number>;
  fieldTypes(measurement: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

export function influxdAvailable(): boolean {
  return spawnSync('influxd', ['version'], { stdio: 'ignore' }).status === 0;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export async function startInfluxd(options: { database?: string; startTimeoutMs?: number } = {}): Promise<InfluxdServer> {
  const database = options.database ?? 'bms';
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-influxd-'));
  dirs.add(dir);
  const port = await freePort();
  const rpcPort = await freePort();
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '  logging-enabled = false',
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '  trace-logging-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      '  enabled = true',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '  auth-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '[subscriber]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let log = '';

  async function ping(): Promise<boolean> {
    try {
      const r = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(500) });
      return r.status === 204;
    } catch {
      return false;
    }
  }

  async function start(): Promise<void> {
    if (child) return;
    const proc = spawn('influxd', ['run', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    let exited = false;
    proc.on('exit', () => {
      exited = true;
      live.delete(proc);
    });
    const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
    while (!(await ping())) {
      if (exited) throw new Error(`influxd exited during start-up:\n${log.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`influxd did not answer /ping on ${url}:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  function stopWith(signal: NodeJS.Signals): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      proc.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      proc.kill(signal);
    });
  }

  async function query(q: string): Promise<Record<string, unknown>[]> {
    const params = new URLSearchParams({ db: database, q, epoch: 'ns' });
    const r = await fetch(`${url}/query?${params}`);
    // Times in ns exceed 2^53: keep them as strings (the time column comes first in every row).
    const text = (await r.text()).replace(/\[(-?\d{16,})(?=[,\]])/g, '["$1"');
    const body = JSON.parse(text) as {
      results?: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[];
      error?: string;
    };
    const result = body.results?.[0];
    if (!r.ok || body.error || result?.error) throw new Error(`influx query failed: ${body.error ?? result?.error}`);
    const rows: Record<string, unknown>[] = [];
    for (const s of result?.series ?? []) {
      for (const v of s.values) rows.push(Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
    }
    return rows;
  }

  await start();
  const created = await fetch(`${url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }),
  });
  if (!created.ok) throw new Error(`CREATE DATABASE failed: ${created.status} ${await created.text()}`);

  return {
    url,
    port,
    database,
    dir,
    output: () => log,
    query,
    async count(measurement) {
      const rows = await query(`SELECT count("uptime") FROM "${measurement}"`);
      return rows.length ? Number(rows[0]!.count) : 0;
    },
    async fieldTypes(measurement) {
      const rows = await query(`SHOW FIELD KEYS FROM "${measurement}"`);
      return Object.fromEntries(rows.map((r) => [String(r.fieldKey), String(r.fieldType)]));
    },
    stop: () => stopWith('SIGTERM'),
    start,
    async cleanup() {
      await stopWith('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
