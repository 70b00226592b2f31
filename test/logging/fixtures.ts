/**
 * Shared pieces of the logging tests: frames built from the contract's wording (not from the
 * parser), the logger as a background process, and polling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';

export interface TestFrame {
  measurement: 'lto-bms' | 'nai-bms';
  id: string;
  uptime: number;
  v_batt: number;
  v_load: number;
  current: number;
  E_dis: number;
  E_chg: number;
  charge: number;
  temp: number;
  gain: number;
  state: string;
}

const STATES = ['IDLE', 'CHARGING', 'DISCHARGING', 'UVLO', 'OVLO', 'OCLO', 'ERR', 'INVALID'];
const GAINS = [1, 2, 4, 8, 16];

/** The i-th test frame: every field varies with i, the current's sign alternates. */
export function testFrame(i: number, id = '0007', measurement: 'lto-bms' | 'nai-bms' = 'lto-bms'): TestFrame {
  return {
    measurement,
    id,
    uptime: 60 * i,
    v_batt: 2000 + i,
    v_load: 1990 + i,
    current: i % 2 ? -(10 + i) : 10 + i,
    E_dis: 3 * i,
    E_chg: 2 * i,
    charge: i % 2 ? -i : i,
    temp: 273 + (i % 40),
    gain: GAINS[i % 5]!,
    state: `BMS_STATE_${STATES[i % 8]}`,
  };
}

/** The line the firmware prints for a frame, in the field order of shared/HARDWARE.md. */
export function wireLine(f: TestFrame): string {
  return (
    `${f.measurement},id=${f.id} uptime=${f.uptime}i,v_batt=${f.v_batt}i,v_load=${f.v_load}i,current=${f.current}i,` +
    `E_dis=${f.E_dis}i,E_chg=${f.E_chg}i,charge=${f.charge}i,temp=${f.temp}i,gain=${f.gain}i,state="${f.state}"`
  );
}

export const INTEGER_FIELD_NAMES = ['uptime', 'v_batt', 'v_load', 'current', 'E_dis', 'E_chg', 'charge', 'temp', 'gain'] as const;

export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Environment for the logger with every INFLUXDB_* variable of the test runner removed. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of Object.keys(env)) if (k.startsWith('INFLUXDB_') || k === 'LTOBMS_DATA_DIR') delete env[k];
  return { ...env, ...extra };
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${describe ? `\n${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `ltobms log …` running in the background. */
export class LoggerProcess {
  stdout = '';
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, [BIN, 'log', ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  describe = (): string => `--- stdout:\n${this.stdout.slice(-3000)}\n--- stderr:\n${this.stderr.slice(-3000)}`;

  waitForStderr(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    return waitUntil(`logger stderr ${pattern}`, () => pattern.test(this.stderr), timeoutMs, this.describe);
  }

  waitForStdout(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    return waitUntil(`logger stdout ${pattern}`, () => pattern.test(this.stdout), timeoutMs, this.describe);
  }

  /** JSON lines of `--json` output. */
  jsonLines(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Ctrl-C, then the exit status. */
  async interrupt(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill('SIGINT');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Lines currently in every spool segment below `dataDir/spool`. */
export function spoolLines(dataDir: string): string[] {
  const root = join(dataDir, 'spool');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const target of readdirSync(root)) {
    const dir = join(root, target);
    if (!statSync(dir).isDirectory()) continue;
    for (const seg of readdirSync(dir).filter((n) => n.endsWith('.lp')).sort()) {
      out.push(...readFileSync(join(dir, seg), 'utf8').split('\n').filter(Boolean));
    }
  }
  return out;
}

/**
 * An HTTP server that plays an InfluxDB write endpoint on 127.0.0.1: answers every request with
 * `status` (204: stored), and in error answers repeats the request's URL and credentials, as a
 * careless proxy might. Keeps each request and its body.
 */
export async function fakeInflux(status: number): Promise<{ url: string; requests: IncomingMessage[]; bodies: string[]; server: Server }> {
  const requests: IncomingMessage[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(body);
      if (status === 204) {
        res.writeHead(204).end();
        return;
      }
      const auth = req.headers.authorization ?? '';
      const basic = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString() : auth;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `refused ${req.url} for ${basic}`, message: `refused ${req.url} for ${basic}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, requests, bodies, server };
}
