/**
 * The InfluxDB + Grafana stack in docker/, driven through `docker compose` (execa). Before any
 * compose command it checks, in order, that the docker CLI exists, that its compose plugin exists
 * and that an engine answers, so each missing piece is one clear error with its fix.
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

/** Fails with one clear error unless `docker compose` can talk to a running engine. */
export async function checkDocker(signal?: AbortSignal): Promise<void> {
  const version = await execa('docker', ['compose', 'version'], { reject: false, cancelSignal: signal });
  const spawnError = (version as { code?: string }).code;
  if (spawnError === 'ENOENT' || (version.failed && /ENOENT/.test(String(version.message)))) {
    throw new LtobmsError('Docker is not installed (no docker command on the PATH)', {
      code: 'STACK_NO_DOCKER',
      hint: 'install Docker Engine with the compose plugin (Debian/Ubuntu: apt install docker.io docker-compose-plugin), or point ltobms log at any InfluxDB',
    });
  }
  if (version.exitCode !== 0) {
    throw new LtobmsError('the docker compose plugin is missing', {
      code: 'STACK_NO_COMPOSE',
      hint: 'install it (Debian/Ubuntu: apt install docker-compose-plugin); `docker compose version` must work',
    });
  }
  const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, cancelSignal: signal, timeout: 20_000 });
  if (info.exitCode !== 0 || !String(info.stdout).trim()) {
    const why = String(info.stderr).split('\n').find((l) => l.trim()) ?? 'no answer';
    throw new LtobmsError(`no Docker engine is running (${why.trim()})`, {
      code: 'STACK_NO_ENGINE',
      hint: 'start it (sudo systemctl start docker) and make sure you may use it (docker group), then try again',
    });
  }
}

/** The compose command line for an action (without the leading `docker`). */
export function composeArgs(action: StackAction, envFile: string | undefined): string[] {
  const base = ['compose', '--project-name', PROJECT, '--file', COMPOSE_FILE];
  if (envFile) base.push('--env-file', envFile);
  switch (action) {
    case 'up':
      return [...base, 'up', '--detach', '--wait'];
    case 'down':
      return [...base, 'down'];
    case 'status':
      return [...base, 'ps', '--all', '--format', 'json'];
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

export async function runCompose(action: StackAction, envFile: string | undefined, signal?: AbortSignal): Promise<string> {
  const result = await execa('docker', composeArgs(action, envFile), { reject: false, cancelSignal: signal, all: true });
  if (result.exitCode !== 0) {
    const detail = String(result.all ?? '').trim().split('\n').slice(-3).join(' / ');
    throw new LtobmsError(`docker compose ${action} failed${detail ? `: ${detail}` : ''}`, {
      code: 'STACK_COMPOSE_FAILED',
      hint: `run it yourself for the full output: docker ${composeArgs(action, envFile).join(' ')}`,
    });
  }
  return String(result.stdout);
}

/** Parses `docker compose ps --format json` (one object per line, or one array in older versions). */
export function parseComposePs(stdout: string): ServiceStatus[] {
  const text = stdout.trim();
  if (!text) return [];
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
