/**
 * `ltobms stack up|down|status`: the InfluxDB 2.7 + Grafana stack of docker/, through docker compose.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { printJson, type ActionContext } from '../cli/run.js';
import { Spinner } from '../cli/spinner.js';
import { UsageError } from '../errors.js';
import {
  checkDocker,
  parseComposePs,
  requireEnvFile,
  runCompose,
  STACK_ACTIONS,
  type StackAction,
} from '../logging/stack.js';

interface StackOptions {
  dotenv: string;
  json?: boolean;
}

async function runStack(actionName: string, opts: StackOptions, signal: AbortSignal): Promise<void> {
  if (!STACK_ACTIONS.includes(actionName as StackAction)) {
    throw new UsageError(`unknown stack action ${JSON.stringify(actionName)}`, {
      code: 'USAGE',
      hint: `use one of: ${STACK_ACTIONS.join(', ')}`,
    });
  }
  const act = actionName as StackAction;
  const envFile = requireEnvFile(act, resolve(opts.dotenv));
  const tool = await checkDocker(signal);
  if (act === 'status') {
    const services = parseComposePs(await runCompose(tool, 'status', envFile, { signal }));
    if (opts.json) return printJson({ services });
    if (!services.length) process.stdout.write('the stack is not running (ltobms stack up starts it)\n');
    for (const s of services) {
      process.stdout.write(`${s.service.padEnd(10)} ${s.state}${s.health ? ` (${s.health})` : ''}${s.ports ? `  ${s.ports}` : ''}\n`);
    }
    return;
  }
  const spinner = opts.json ? undefined : Spinner.ifWanted()?.start(act === 'up' ? 'starting InfluxDB and Grafana (waiting until healthy)…' : 'stopping the stack…');
  try {
    await runCompose(tool, act, envFile, { signal });
    spinner?.succeed(act === 'up' ? 'the stack is up' : 'the stack is stopped (data kept in its volumes)');
  } catch (err) {
    spinner?.fail();
    throw err;
  }
  if (opts.json) printJson({ action: act, ok: true });
  else if (act === 'up') {
    process.stdout.write('Grafana:  http://localhost:3000  (dashboard LTO-BMS)\nInfluxDB: http://localhost:8086\n');
    process.stdout.write('now run: ltobms log /dev/ttyUSB0   (it reads the same .env)\n');
  }
}

/** The action of `ltobms stack` (declared in src/cli/commands/stack.ts). */
export async function execute(actionName: string, opts: StackOptions, _cmd: Command, ctx: ActionContext): Promise<void> {
  await runStack(actionName, opts, ctx.signal);
}
