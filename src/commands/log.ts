/**
 * `ltobms log <port...>`: tail the boards' UART frames into InfluxDB (2.x/3.x, or 1.x) or into daily
 * line-protocol files, with nothing lost; `ltobms log --replay FILE` backfills recorded files.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import ora, { type Ora } from 'ora';
import { action, type ActionContext } from '../cli/run.js';
import { ExitCode, LtobmsError, UsageError } from '../errors.js';
import { describeTarget, resolveConfig, type EnvKey, type TargetKind } from '../logging/config.js';
import { formatFrameLine, formatSummary, frameRecord, paint, wantColour } from '../logging/render.js';
import { replayFiles, tailPorts, type LogSummary, type SessionEvent } from '../logging/session.js';
import { openWriter } from '../logging/target.js';
import { debug } from '../util/debug.js';

const log = debug('ltobms:log');

interface LogOptions {
  baud: string;
  replay?: string[];
  json?: boolean;
  quiet?: boolean;
  target: string;
  url?: string;
  token?: string;
  org?: string;
  bucket?: string;
  db?: string;
  user?: string;
  password?: string;
  rp?: string;
  dotenv?: string;
  dataDir?: string;
  outDir?: string;
  batchSize: string;
  drainTimeout: string;
  writeTimeout: string;
}

function positiveInt(value: string, name: string, max: number, example: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${name} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`, {
      code: 'USAGE',
      hint: `for example ${name} ${example}`,
    });
  }
  return n;
}

/** Draws port and writer status on stderr: a spinner on a TTY, plain lines otherwise. */
class StatusView {
  private spinner: Ora | undefined;
  private readonly waiting = new Map<string, string>();
  private lastRetryMessage = '';

  constructor(private readonly tty: boolean) {}

  line(text: string): void {
    if (this.spinner?.isSpinning) {
      this.spinner.clear();
      process.stderr.write(text + '\n');
      this.spinner.render();
    } else process.stderr.write(text + '\n');
  }

  event(e: SessionEvent): void {
    switch (e.type) {
      case 'port-waiting':
        this.waiting.set(e.port, e.reason);
        if (this.tty) this.spin();
        else this.line(`waiting for ${e.port} (${e.reason})…`);
        break;
      case 'port-open':
        this.waiting.delete(e.port);
        this.stopSpinner();
        this.line(e.reconnect ? `${e.port} is back: reading again` : `reading ${e.port}`);
        if (this.waiting.size) this.spin();
        break;
      case 'port-lost':
        this.line(`${e.port} went away (${e.reason}); frames resume when it returns`);
        break;
      case 'retrying':
        if (e.message !== this.lastRetryMessage) {
          this.line(`warning: write failed: ${e.message}; ${e.pending} point(s) kept in the spool, retrying`);
          this.lastRetryMessage = e.message;
        }
        log(`retry in ${e.delayMs} ms`);
        break;
      case 'recovered':
        this.lastRetryMessage = '';
        this.line(`the target is back after ${(e.downMs / 1000).toFixed(1)} s; sending the spooled points`);
        break;
      case 'dead-letter':
        this.line(`error: the server refused ${e.count} point(s)${e.status ? ` (${e.status})` : ''}: ${e.message}; kept in ${e.file}`);
        break;
      default:
        break;
    }
  }

  private spin(): void {
    const text = `waiting for ${[...this.waiting].map(([p, r]) => `${p} (${r})`).join(', ')}…`;
    if (!this.spinner) this.spinner = ora({ stream: process.stderr, text }).start();
    else {
      this.spinner.text = text;
      if (!this.spinner.isSpinning) this.spinner.start();
    }
  }

  stopSpinner(): void {
    this.spinner?.stop();
  }
}

async function runLog(ports: string[], opts: LogOptions, signal: AbortSignal): Promise<void> {
  // Validate everything before any I/O.
  const baudRate = positiveInt(opts.baud, '--baud', 4_000_000, 9600);
  const batchSize = positiveInt(opts.batchSize, '--batch-size', 100_000, 5000);
  const drainMs = positiveInt(String(opts.drainTimeout), '--drain-timeout', 3600, 5) * 1000;
  const timeoutMs = positiveInt(String(opts.writeTimeout), '--write-timeout', 600, 10) * 1000;
  const replay = opts.replay ?? [];
  if (replay.length && ports.length) {
    throw new UsageError('give serial ports or --replay files, not both', { code: 'USAGE', hint: 'run two ltobms log commands' });
  }
  if (!replay.length && !ports.length) {
    throw new UsageError('no serial port given', {
      code: 'USAGE',
      hint: 'name the adapter, e.g. ltobms log /dev/ttyUSB0 (or --replay FILE to load a recorded file)',
    });
  }
  for (const file of replay) {
    if (!existsSync(file)) throw new UsageError(`replay file ${file} does not exist`, { code: 'LOG_REPLAY_FILE', hint: 'check the path' });
  }
  const targetKinds = ['auto', 'file', 'influx1', 'influx2'];
  if (!targetKinds.includes(opts.target)) {
    throw new UsageError(`--target must be one of ${targetKinds.join(', ')}`, { code: 'USAGE', hint: 'leave it out to choose from the configuration' });
  }
  const flags: Partial<Record<EnvKey, string | undefined>> = {
    INFLUXDB_URL: opts.url,
    INFLUXDB_TOKEN: opts.token,
    INFLUXDB_ORG: opts.org,
    INFLUXDB_BUCKET: opts.bucket,
    INFLUXDB_DB: opts.db,
    INFLUXDB_USER: opts.user,
    INFLUXDB_PASSWORD: opts.password,
    INFLUXDB_RP: opts.rp,
    LTOBMS_DATA_DIR: opts.dataDir,
  };
  const config = resolveConfig({
    flags,
    env: process.env,
    envFile: opts.dotenv,
    target: opts.target as TargetKind | 'auto',
    outDir: opts.outDir,
  });
  log('configuration sources:', config.sources, config.envFile ? `(.env: ${config.envFile})` : '(no .env)');

  // A spinner needs a real terminal (a width of 0 makes ora redraw endlessly).
  const status = new StatusView(process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0 && !opts.json);
  const colour = wantColour(process.stdout);
  const showPort = ports.length > 1;
  // A replayed file can be read again, so its points are not written ahead into the spool.
  const writer = openWriter(config, { batchSize, timeoutMs, writeAhead: replay.length === 0, onEvent: (e) => status.event(e) });
  status.line(`writing to ${describeTarget(config.target)}`);
  if (writer.resumed) status.line(`resuming ${writer.resumed} point(s) left in the spool by an earlier run`);

  const onEvent = (e: SessionEvent) => {
    switch (e.type) {
      case 'frame': {
        if (opts.quiet) break;
        const record = frameRecord(e.port, e.point);
        if (opts.json) process.stdout.write(JSON.stringify(record) + '\n');
        else process.stdout.write(formatFrameLine(record, { colour, showPort }) + '\n');
        break;
      }
      case 'debug':
        if (opts.json) process.stdout.write(JSON.stringify(e) + '\n');
        else if (!opts.quiet) process.stdout.write(paint(`debug ${showPort ? e.port + ' ' : ''}${e.text}`, ['dim'], colour) + '\n');
        break;
      case 'garbage':
        if (opts.json) process.stdout.write(JSON.stringify(e) + '\n');
        else if (!opts.quiet) status.line(`garbage from ${e.port}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`);
        break;
      default:
        status.event(e);
    }
  };

  let summary: LogSummary;
  try {
    summary = replay.length
      ? await replayFiles({ files: replay, writer, signal, onEvent, drainMs })
      : await tailPorts({ ports, baudRate, writer, signal, onEvent, drainMs });
  } finally {
    status.stopSpinner();
  }
  for (const line of formatSummary(summary)) process.stderr.write(line + '\n');
  if (opts.json) process.stdout.write(JSON.stringify({ type: 'summary', ...summary }) + '\n');

  if (writer.fatal) {
    throw new LtobmsError(`logging stopped: ${writer.fatal.message}`, {
      code: 'LOG_SPOOL',
      hint: `free disk space or choose another --data-dir (${config.dataDir}); points counted as left in the spool were not stored`,
    });
  }
  if (replay.length) {
    if (signal.aborted) process.exitCode = ExitCode.interrupted;
    else if (summary.deadLettered || summary.leftInSpool) {
      throw new LtobmsError(`${summary.deadLettered + summary.leftInSpool} replayed point(s) were not stored`, {
        code: 'LOG_REPLAY_INCOMPLETE',
        hint: 'see the messages above; dead-lettered points are in the dead-letter file, spooled ones are sent by the next ltobms log',
      });
    } else process.exitCode = ExitCode.ok;
  } else {
    // Stopping is the normal end of a logger: a clean stop with everything stored or spooled is success.
    process.exitCode = ExitCode.ok;
  }
}

export function register(program: Command): void {
  program
    .command('log')
    .description('tail the boards\' UART log frames into InfluxDB (or daily line-protocol files), nothing lost')
    .argument('[ports...]', 'serial ports of the boards (several in one process)')
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
    .option('--drain-timeout <s>', 'on Ctrl-C, keep sending spooled points this long before leaving them for the next run', '5')
    .addHelpText(
      'after',
      `
Settings come from flags, then the environment, then ./.env (keys INFLUXDB_URL, INFLUXDB_TOKEN,
INFLUXDB_ORG, INFLUXDB_BUCKET for 2.x/3.x; INFLUXDB_DB, INFLUXDB_USER, INFLUXDB_PASSWORD, INFLUXDB_RP
for 1.x). With none, points go to <data-dir>/log/YYYY-MM-DD.lp (UTC days). Ctrl-C stores everything
(database or spool), prints a summary and exits 0.

Examples:
  $ ltobms log /dev/ttyUSB0                           daily files in ./ltobms-data/log/
  $ ltobms log /dev/ttyUSB0 /dev/ttyUSB1 --quiet      two boards, summary only
  $ INFLUXDB_URL=http://localhost:8086 INFLUXDB_DB=bms ltobms log /dev/ttyUSB0
  $ ltobms log /dev/ttyUSB0 --json | jq 'select(.type == "frame") | .v_batt'
  $ ltobms log --replay ltobms-data/log/2026-11-21.lp  load a recorded day into the configured database`,
    )
    .action(
      action(async (ports: string[], opts: LogOptions, cmd: Command, ctx: ActionContext) => {
        // --data-dir's default must not hide LTOBMS_DATA_DIR: only an explicit flag wins over it.
        const explicitDataDir = cmd.getOptionValueSource('dataDir') === 'cli';
        await runLog(ports, { ...opts, dataDir: explicitDataDir ? opts.dataDir : undefined }, ctx.signal);
      }),
    );
}
