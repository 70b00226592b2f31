/**
 * The InfluxDB + Grafana stack in docker/, driven through Docker Compose (execa): the v2 plugin
 * (`docker compose`) or a standalone `docker-compose` (Debian's 1.29 too). Before any compose
 * command it checks, in order, that Docker or Compose exists, that Compose works and that an engine
 * answers, so each missing piece is one clear error with its fix.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { LtobmsError, UsageError } from '../errors.js';

/** docker/ of this package (dist/src/logging → repo root). */
export const DOCKER_DIR = fileURLToPath(new URL('../../../docker/', import.meta.url));
export const COMPOSE_FILE = `${DOCKER_DIR}docker-compose.yml`;
export const PROJECT = 'ltobms';

export type StackAction = 'up' | 'down' | 'status';
export const STACK_ACTIONS: readonly StackAction[] = ['up', 'down', 'status'];

export interface ServiceStatus {
  service: string;
  state: string;
  health: string;
  ports: string;
}

/**
 * How Compose runs here: Docker's v2 plugin (`docker compose`) or a standalone `docker-compose`
 * (Debian's package: 1.29 on bookworm, v2 on later releases). Generation 1 has no `up --wait` and
 * no JSON `ps`, so for it we wait for health ourselves and read its table.
 */
export interface ComposeTool {
  file: string;
  prefix: string[];
  generation: 1 | 2;
  version: string;
}

/** The command line a user would type for the tool: `docker compose` or `docker-compose`. */
export const composeCommand = (tool: ComposeTool): string => [tool.file, ...tool.prefix].join(' ');

async function probe(file: string, args: string[], signal?: AbortSignal, timeout = 20_000) {
  const r = await execa(file, args, { reject: false, cancelSignal: signal, timeout });
  const missing = (r as { code?: string }).code === 'ENOENT' || (r.failed && /ENOENT/.test(String(r.message)));
  return { ok: r.exitCode === 0, missing, stdout: String(r.stdout ?? '').trim(), stderr: String(r.stderr ?? '') };
}

const versionOf = (text: string): string => (/v?(\d+\.\d+[\w.+-]*)/.exec(text)?.[1] ?? text);

/** Finds Compose and checks that an engine answers; one clear error, with its fix, for each missing piece. */
export async function checkDocker(signal?: AbortSignal): Promise<ComposeTool> {
  const plugin = await probe('docker', ['compose', 'version', '--short'], signal);
  let tool: ComposeTool | undefined;
  if (plugin.ok) tool = { file: 'docker', prefix: ['compose'], generation: 2, version: versionOf(plugin.stdout) };
  else {
    const standalone = await probe('docker-compose', ['version', '--short'], signal);
    if (standalone.ok) {
      const version = versionOf(standalone.stdout);
      tool = { file: 'docker-compose', prefix: [], generation: Number(version.split('.')[0]) >= 2 ? 2 : 1, version };
    } else if (plugin.missing) {
      throw new LtobmsError('Docker is not installed (no docker command on the PATH)', {
        code: 'STACK_NO_DOCKER',
        hint: 'install Docker and Compose (Debian/Ubuntu: sudo apt install docker.io docker-compose), or point ltobms log at any InfluxDB',
      });
    } else {
      throw new LtobmsError('Docker Compose is missing (neither `docker compose` nor `docker-compose` works)', {
        code: 'STACK_NO_COMPOSE',
        hint: 'install it (Debian/Ubuntu: sudo apt install docker-compose); `docker-compose version` must work',
      });
    }
  }
  // Without the docker CLI (a bare docker-compose) compose itself reports a missing engine.
  if (!plugin.missing) {
    const info = await probe('docker', ['info', '--format', '{{.ServerVersion}}'], signal);
    if (!info.ok || !info.stdout) {
      const why = info.stderr.split('\n').find((l) => l.trim()) ?? 'no answer';
      throw new LtobmsError(`no Docker engine is running (${why.trim()})`, {
        code: 'STACK_NO_ENGINE',
        hint: 'start it (sudo systemctl start docker) and make sure you may use it (docker group), then try again',
      });
    }
  }
  return tool;
}

/** The compose command line for an action (without the tool's own file name). */
export function composeArgs(tool: ComposeTool, action: StackAction, envFile: string | undefined): string[] {
  const base = [...tool.prefix, '--project-name', PROJECT, '--file', COMPOSE_FILE];
  if (envFile) base.push('--env-file', envFile);
  switch (action) {
    case 'up':
      return [...base, 'up', '--detach', ...(tool.generation === 2 ? ['--wait'] : [])];
    case 'down':
      return [...base, 'down'];
    case 'status':
      return [...base, 'ps', '--all', ...(tool.generation === 2 ? ['--format', 'json'] : [])];
  }
}

/** `up` needs the settings the stack is initialised with. */
export function requireEnvFile(action: StackAction, envFile: string): string | undefined {
  if (existsSync(envFile)) return envFile;
  if (action === 'up') {
    throw new UsageError(`${envFile} does not exist: the stack takes its org, bucket, token and passwords from it`, {
      code: 'STACK_NO_ENV',
      hint: 'cp .env.example .env, change the token and passwords, then run ltobms stack up again',
    });
  }
  return undefined;
}

async function compose(tool: ComposeTool, action: StackAction, envFile: string | undefined, signal?: AbortSignal): Promise<string> {
  const args = composeArgs(tool, action, envFile);
  const result = await execa(tool.file, args, { reject: false, cancelSignal: signal, all: true });
  if (result.exitCode !== 0) {
    const detail = String(result.all ?? '').trim().split('\n').slice(-3).join(' / ');
    throw new LtobmsError(`${composeCommand(tool)} ${action} failed${detail ? `: ${detail}` : ''}`, {
      code: 'STACK_COMPOSE_FAILED',
      hint: `run it yourself for the full output: ${tool.file} ${args.join(' ')}`,
    });
  }
  return String(result.stdout);
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** How long `up` waits for every service to be healthy (Compose 1.x, which cannot wait itself). */
  timeoutMs?: number;
  pollMs?: number;
}

/** Runs the action; `up` returns once every service is healthy (or fails naming the one that is not). */
export async function runCompose(tool: ComposeTool, action: StackAction, envFile: string | undefined, options: WaitOptions = {}): Promise<string> {
  const out = await compose(tool, action, envFile, options.signal);
  if (action === 'up' && tool.generation === 1) await waitHealthy(tool, envFile, options);
  return out;
}

/** Polls `ps` until every service runs and is healthy (services without a health check: running). */
async function waitHealthy(tool: ComposeTool, envFile: string | undefined, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    const services = parseComposePs(await compose(tool, 'status', envFile, options.signal));
    const bad = services.find((s) => s.health === 'unhealthy' || !['running', 'starting', 'created'].includes(s.state));
    if (bad) {
      throw new LtobmsError(`${bad.service} is ${bad.health === 'unhealthy' ? 'unhealthy' : bad.state}`, {
        code: 'STACK_UNHEALTHY',
        hint: `see why: ${composeCommand(tool)} --project-name ${PROJECT} --file ${COMPOSE_FILE} logs ${bad.service}`,
      });
    }
    if (services.length && services.every((s) => s.state === 'running' && (s.health === '' || s.health === 'healthy'))) return;
    if (Date.now() > deadline) {
      const waiting = services.filter((s) => s.health !== 'healthy').map((s) => `${s.service} (${s.health || s.state})`);
      throw new LtobmsError(`the stack did not become healthy: ${waiting.join(', ') || 'no services'}`, {
        code: 'STACK_UNHEALTHY',
        hint: `see why: ${composeCommand(tool)} --project-name ${PROJECT} --file ${COMPOSE_FILE} logs`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
    if (options.signal?.aborted) throw options.signal.reason;
  }
}

/**
 * Parses `ps`: Compose v2's JSON (one object per line, or one array in older versions), or Compose
 * 1.x's table (`Name  Command  State  Ports`, columns two or more spaces apart, container names
 * `<project>_<service>_<n>`, states such as `Up (healthy)`, `Up (health: starting)`, `Exit 1`).
 */
export function parseComposePs(stdout: string): ServiceStatus[] {
  const text = stdout.trim();
  if (!text) return [];
  if (!text.startsWith('[') && !text.startsWith('{')) return parseComposeTable(text);
  const rows: Record<string, unknown>[] = text.startsWith('[')
    ? (JSON.parse(text) as Record<string, unknown>[])
    : text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return rows.map((r) => ({
    service: String(r.Service ?? r.Name ?? ''),
    state: String(r.State ?? ''),
    health: String(r.Health ?? ''),
    ports: String(r.Publishers ? (r.Publishers as { PublishedPort?: number; TargetPort?: number }[])
      .filter((p) => p.PublishedPort)
      .map((p) => `${p.PublishedPort}→${p.TargetPort}`)
      .join(', ') : (r.Ports ?? '')),
  }));
}

function parseComposeTable(text: string): ServiceStatus[] {
  const lines = text.split('\n');
  const rule = lines.findIndex((l) => /^-{10,}/.test(l.trim()));
  return lines.slice(rule + 1).filter((l) => l.trim()).map((line) => {
    const [name = '', , status = '', ports = ''] = line.trim().split(/\s{2,}/);
    const service = name.replace(new RegExp(`^${PROJECT}[_-]`), '').replace(/[_-]\d+$/, '');
    const health = /\((?:health: )?(healthy|unhealthy|starting)\)/.exec(status)?.[1] ?? '';
    const state = /^Up\b/.test(status) ? 'running' : /^Exit\b/.test(status) ? 'exited' : status.split(/\s/)[0]!.toLowerCase();
    return { service, state, health, ports: ports.replace(/0\.0\.0\.0:(\d+)->(\d+)\/tcp/g, '$1→$2').replace(/,\s*:::\d+->\d+\/tcp/g, '') };
  });
}
