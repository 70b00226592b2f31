/**
 * A real VictoriaMetrics server (Debian's `victoria-metrics`) for end-to-end tests, on loopback
 * only. It is not InfluxDB but speaks its write protocol: `POST /api/v2/write` (what ltobms sends
 * to InfluxDB 2.x) and `POST /write?db=…` (1.x), storing each field as a series named
 * `<measurement>_<field>` with the tags as labels (`db` too, for a 1.x write). Timestamps are kept
 * to the millisecond. Started with deduplication at 1 ms, so a point written twice with the same
 * series and timestamp is stored once, as InfluxDB does.
 *
 * API:
 *   const vm = await startVictoria({ basicAuth: { user, password } })   // waits for /health
 *   vm.url                                  'http://127.0.0.1:<port>'
 *   await vm.samples('lto-bms_v_batt', { id: '0042' })   → [{ ms, value, labels }] in time order
 *   await vm.cleanup()                      stops it (SIGKILL if needed) and deletes its folder
 * `victoriaAvailable()` says whether the binary is installed (CI installs `victoria-metrics`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './influxdb.js';

const BINARY = '/usr/bin/victoria-metrics';

export function victoriaAvailable(): boolean {
  return existsSync(BINARY) && spawnSync(BINARY, ['-version'], { stdio: 'ignore' }).status === 0;
}

export interface Sample {
  ms: number;
  value: number;
  labels: Record<string, string>;
}

export interface VictoriaServer {
  readonly url: string;
  readonly output: () => string;
  /** Every stored sample of the metric whose labels include `labels`, oldest first. */
  samples(metric: string, labels?: Record<string, string>): Promise<Sample[]>;
  cleanup(): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export async function startVictoria(options: { basicAuth?: { user: string; password: string }; startTimeoutMs?: number } = {}): Promise<VictoriaServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-victoria-'));
  dirs.add(dir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${join(dir, 'data')}`,
    // Test frames may carry any timestamp; the default retention (1 month) would drop old ones.
    '-retentionPeriod=100y',
    // Samples are visible to queries at once, not 30 s later.
    '-search.latencyOffset=0s',
    '-dedup.minScrapeInterval=1ms',
    '-loggerLevel=ERROR',
  ];
  if (options.basicAuth) args.push(`-httpAuth.username=${options.basicAuth.user}`, `-httpAuth.password=${options.basicAuth.password}`);
  const proc = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let log = '';
  let exited = false;
  proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  proc.on('exit', () => {
    exited = true;
    live.delete(proc);
  });
  const headers: Record<string, string> = options.basicAuth
    ? { authorization: `Basic ${Buffer.from(`${options.basicAuth.user}:${options.basicAuth.password}`).toString('base64')}` }
    : {};

  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (;;) {
    const healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false);
    if (healthy) break;
    if (exited) throw new Error(`victoria-metrics exited during start-up:\n${log.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`victoria-metrics did not answer /health on ${url}:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }

  async function samples(metric: string, labels: Record<string, string> = {}): Promise<Sample[]> {
    // Written samples sit in an in-memory buffer for up to a second; this makes them searchable now.
    await fetch(`${url}/internal/force_flush`, { headers });
    const selector = `{${[`__name__=${JSON.stringify(metric)}`, ...Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`)].join(',')}}`;
    const r = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': selector })}`, { headers });
    if (!r.ok) throw new Error(`export failed: ${r.status} ${await r.text()}`);
    const out: Sample[] = [];
    for (const line of (await r.text()).split('\n').filter(Boolean)) {
      const s = JSON.parse(line) as { metric: Record<string, string>; values: number[]; timestamps: number[] };
      s.timestamps.forEach((ms, i) => out.push({ ms, value: s.values[i]!, labels: s.metric }));
    }
    return out.sort((a, b) => a.ms - b.ms);
  }

  return {
    url,
    output: () => log,
    samples,
    async cleanup() {
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise<void>((resolve) => {
          const killer = setTimeout(() => proc.kill('SIGKILL'), 5000);
          proc.once('exit', () => {
            clearTimeout(killer);
            resolve();
          });
          proc.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
