/**
 * `ltobms stack`: its options and help. The action is src/commands/stack.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export function declare(cmd: Command): void {
  cmd
    .argument('<action>', 'up, down or status')
    .option('--dotenv <path>', 'settings file shared with ltobms log', '.env')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Needs Docker Compose (the v2 plugin, or Debian's docker-compose) and a running engine. The stack is initialised on its first
start from .env (copy .env.example): INFLUXDB_ORG, INFLUXDB_BUCKET, INFLUXDB_TOKEN,
INFLUXDB_ADMIN_PASSWORD, INFLUXDB_RETENTION, GRAFANA_ADMIN_PASSWORD. Data persists in volumes.

Examples:
  $ cp .env.example .env && $EDITOR .env
  $ ltobms stack up           start and wait until both services are healthy
  $ ltobms stack status       services, state and health
  $ ltobms stack down         stop (the data stays)`,
    )
    .action(lazyAction(async () => (await import('../../commands/stack.js')).execute));
}
