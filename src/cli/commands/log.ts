/**
 * `ltobms log`: its options and help. The action is src/commands/log.ts, imported when the command
 * runs, so listing and parsing commands loads none of their dependencies.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export function declare(cmd: Command): void {
  cmd
    .argument('[ports...]', 'serial ports of the boards (several in one process); default: LTOBMS_UART, or "uart" in ltobms.config.json')
    .option('-b, --baud <rate>', 'UART baud rate', '9600')
    .option('--replay <files...>', 'load recorded line-protocol files (with timestamps) into the target at full speed')
    .option('--json', 'one JSON object per line on stdout: each frame (type "frame"), debug text and garbage lines, then the summary')
    .option('-q, --quiet', 'no line per frame; only warnings and the summary')
    .option('--target <kind>', 'auto, file, influx1 or influx2 (auto: INFLUXDB_DB → 1.x, INFLUXDB_URL/BUCKET → 2.x, else files)', 'auto')
    .option('--url <url>', 'InfluxDB URL (INFLUXDB_URL)')
    .option('--token <token>', 'InfluxDB 2.x token (INFLUXDB_TOKEN; prefer .env: flags show up in ps)')
    .option('--org <org>', 'InfluxDB 2.x organisation (INFLUXDB_ORG)')
    .option('--bucket <bucket>', 'InfluxDB 2.x bucket (INFLUXDB_BUCKET)')
    .option('--db <name>', 'InfluxDB 1.x database (INFLUXDB_DB)')
    .option('--user <name>', 'InfluxDB 1.x user (INFLUXDB_USER)')
    .option('--password <password>', 'InfluxDB 1.x password (INFLUXDB_PASSWORD)')
    .option('--rp <policy>', 'InfluxDB 1.x retention policy (INFLUXDB_RP)')
    .option('--dotenv <path>', 'read settings from this dotenv file instead of ./.env')
    .option('--data-dir <dir>', 'spool, dead letters and default log files (LTOBMS_DATA_DIR)', './ltobms-data')
    .option('--out-dir <dir>', 'folder of the daily .lp files when no database is configured (default: <data-dir>/log)')
    .option('--batch-size <n>', 'points per write request', '5000')
    .option('--write-timeout <s>', 'a write request taking longer counts as failed: its points stay spooled and are sent again', '10')
    .option('--reconnect', 'when an open port goes away (adapter unplugged), wait for it and read on, instead of ending with exit 1')
    .option('--drain-timeout <s>', 'on Ctrl-C, keep sending spooled points this long before leaving them for the next run', '5')
    .addHelpText(
      'after',
      `
Settings come from flags, then the environment, then ./.env (keys INFLUXDB_URL, INFLUXDB_TOKEN,
INFLUXDB_ORG, INFLUXDB_BUCKET for 2.x/3.x; INFLUXDB_DB, INFLUXDB_USER, INFLUXDB_PASSWORD, INFLUXDB_RP
for 1.x). With none, points go to <data-dir>/log/YYYY-MM-DD.lp (UTC days). Ctrl-C stores everything
(database or spool), prints a summary and exits 0. A port missing at the start is waited for; one
that goes away (adapter unplugged) ends the log with exit 1 after storing every frame read, unless
--reconnect says to wait for it (for a logger left running on its own).

Examples:
  $ ltobms log /dev/ttyUSB0                           daily files in ./ltobms-data/log/
  $ ltobms log /dev/ttyUSB0 /dev/ttyUSB1 --quiet      two boards, summary only
  $ ltobms log /dev/ttyUSB0 --reconnect               keeps going across unplugs (e.g. as a service)
  $ INFLUXDB_URL=http://localhost:8086 INFLUXDB_DB=bms ltobms log /dev/ttyUSB0
  $ ltobms log /dev/ttyUSB0 --json | jq 'select(.type == "frame") | .v_batt'
  $ ltobms log --replay ltobms-data/log/2026-11-21.lp  load a recorded day into the configured database`,
    )
    .action(lazyAction(async () => (await import('../../commands/log.js')).execute));
}
