/**
 * A real PostgreSQL server (Debian's, /usr/lib/postgresql/<version>/bin) for end-to-end tests:
 * `initdb` and `pg_ctl` in a temporary folder, listening on 127.0.0.1 only, with trust
 * authentication for the one test user. initdb refuses to run as root, so under root (CI) the
 * server runs as the `postgres` user that the Debian package creates.
 *
 * API:
 *   const pg = await startPostgres();       // initdb + pg_ctl start -w; waits until it accepts connections
 *   pg.url('ledger')                         'postgres://ltobms@127.0.0.1:<port>/ledger' (createDatabase first)
 *   await pg.createDatabase('ledger')        CREATE DATABASE through the server's own createdb
 *   await pg.query('ledger', 'SELECT 1')     rows via psql, as arrays of strings (tab-separated output)
 *   await pg.cleanup()                       pg_ctl stop -m fast, deletes the folder; safe to call twice
 * Use `t.after(() => pg.cleanup())`; a process 'exit' hook also stops a forgotten server.
 * `postgresAvailable()` says whether the binaries are installed (CI installs `postgresql`).
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './influxdb.js';

const run = promisify(execFile);
const USER = 'ltobms';

/** The newest installed server's bin folder, or undefined. */
export function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0]!, 'bin') : undefined;
}

export function postgresAvailable(): boolean {
  return postgresBin() !== undefined && (process.getuid?.() !== 0 || systemUser('postgres') !== undefined);
}

/** uid and gid of a system user (from `id`), or undefined. */
function systemUser(name: string): { uid: number; gid: number } | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export interface PostgresServer {
  readonly port: number;
  readonly dir: string;
  url(database: string): string;
  createDatabase(name: string): Promise<void>;
  query(database: string, sql: string): Promise<string[][]>;
  cleanup(): Promise<void>;
}

const running = new Set<() => void>();
process.on('exit', () => {
  for (const stop of running) stop();
});

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-postgres-'));
  const data = join(dir, 'data');
  // Under root the server runs as `postgres`: it must own the folder (socket and data live there).
  const owner = process.getuid?.() === 0 ? systemUser('postgres') : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid, env: { ...process.env, HOME: dir } } : {};
  const port = await freePort();
  const tool = (name: string, args: string[]) => run(join(bin, name), args, { ...as, cwd: dir, timeout: 60_000 });

  await tool('initdb', ['-D', data, '-U', USER, '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=50`;
  await tool('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  const stopNow = () => {
    spawnSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { ...as, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(stopNow);

  let cleaned = false;
  const psql = (database: string, sql: string) => run(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', database, '-AtqX', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', sql], { timeout: 30_000 });
  return {
    port,
    dir,
    url: (database) => `postgres://${USER}@127.0.0.1:${port}/${database}`,
    async createDatabase(name) {
      await psql('postgres', `CREATE DATABASE "${name}"`);
    },
    async query(database, sql) {
      const { stdout } = await psql(database, sql);
      return stdout.split('\n').filter(Boolean).map((line) => line.split('\t'));
    },
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      running.delete(stopNow);
      await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
