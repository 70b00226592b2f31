/**
 * `ltobms log <port...>`: tail the boards' UART frames into InfluxDB (2.x/3.x, or 1.x) or into daily
 * line-protocol files, with nothing lost; `ltobms log --replay FILE` backfills recorded files.
 */
import type { Command } from 'commander';
import { type ActionContext } from '../cli/run.js';
import { parseNumberOption } from '../cli/options.js';
import { LogView } from '../cli/log-view.js';
import { settingValue } from '../cli/settings.js';
import { Spinner } from '../cli/spinner.js';
import { ExitCode, LtobmsError, UsageError } from '../errors.js';
import { describeTarget, resolveConfig, type EnvKey, type TargetKind } from '../logging/config.js';
import { redact, redactError } from '../logging/redact.js';
import { formatSummary, wantColour } from '../logging/render.js';
import { checkReplayFiles, replayFiles, tailLostError, tailPorts, type LogSummary } from '../logging/session.js';
import { checkPortPaths } from '../logging/port.js';
import { openWriter, otherSpools, writerFailure, type OtherSpool } from '../logging/target.js';
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
  reconnect?: boolean;
}

async function runLog(ports: string[], opts: LogOptions, signal: AbortSignal): Promise<void> {
  // Validate everything before any I/O.
  const baudRate = parseNumberOption(opts.baud, '--baud', { min: 1, max: 4_000_000, hint: 'for example --baud 9600 (what the firmware sends at)' });
  const batchSize = parseNumberOption(opts.batchSize, '--batch-size', { min: 1, max: 100_000, hint: 'for example --batch-size 5000' });
  const drainMs = parseNumberOption(String(opts.drainTimeout), '--drain-timeout', { min: 1, max: 3600, what: 'whole seconds', hint: 'for example --drain-timeout 5' }) * 1000;
  const timeoutMs = parseNumberOption(String(opts.writeTimeout), '--write-timeout', { min: 1, max: 600, what: 'whole seconds', hint: 'for example --write-timeout 10' }) * 1000;
  const replay = opts.replay ?? [];
  if (replay.length && ports.length) {
    throw new UsageError('give serial ports or --replay files, not both', { code: 'USAGE', hint: 'run two ltobms log commands' });
  }
  if (!replay.length && !ports.length) {
    throw new UsageError('no serial port given', {
      code: 'USAGE',
      hint: 'name the adapter, e.g. ltobms log /dev/ttyUSB0, or set LTOBMS_UART (or "uart" in ltobms.config.json); --replay FILE loads a recorded file',
    });
  }
  checkReplayFiles(replay);
  checkPortPaths(ports);
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

  const view = new LogView({ json: opts.json === true, quiet: opts.quiet === true, showPort: ports.length > 1, colour: wantColour(process.stdout), interactive: !opts.json && Spinner.wanted() });
  // A replayed file can be read again, so its points are not written ahead into the spool.
  const writer = openWriter(config, { batchSize, timeoutMs, writeAhead: replay.length === 0, onEvent: view.event });
  view.line(`writing to ${describeTarget(config.target)}`);
  if (writer.resumed) view.line(`resuming ${writer.resumed} point(s) left in the spool by an earlier run`);
  if (!replay.length) {
    for (const other of otherSpools(config)) {
      const text = describeOtherSpool(other);
      for (const line of text.lines) view.line(line);
      if (opts.json) process.stdout.write(redact(JSON.stringify({ type: 'other-spool', dir: other.dir, target: other.target ?? null, points: other.points, inUseBy: other.inUseBy ?? null, command: text.command ?? null })) + '\n');
    }
  }

  let summary: LogSummary;
  try {
    summary = replay.length
      ? await replayFiles({ files: replay, writer, signal, onEvent: view.event, drainMs })
      : await tailPorts({ ports, baudRate, writer, signal, onEvent: view.event, drainMs, onLost: opts.reconnect ? 'reconnect' : 'end' });
  } finally {
    view.stop();
  }
  for (const line of formatSummary(summary)) process.stderr.write(redact(line) + '\n');
  if (opts.json) process.stdout.write(redact(JSON.stringify({ type: 'summary', ...summary })) + '\n');

  const failure = writerFailure(writer, config.dataDir);
  if (failure) throw failure;
  if (summary.lost) throw tailLostError(summary, summary.lost, 'ltobms log');
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

const shellWord = (s: string): string => (/^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** What a spool left by another target holds, and the command that sends it to this one. */
function describeOtherSpool(o: OtherSpool): { lines: string[]; command: string | undefined } {
  const what = `note: ${o.points} point(s) wait in ${o.dir}, spooled for ${o.target ?? 'another target'}`;
  if (o.inUseBy !== undefined) return { lines: [`${what} (in use by ltobms log, pid ${o.inUseBy})`], command: undefined };
  const command = `ltobms log --replay ${o.segments.map(shellWord).join(' ')}`;
  return { lines: [what, `  to send them to this target: ${command} (with this run's settings), then delete ${o.dir}`], command };
}

/** The action of `ltobms log` (declared in src/cli/commands/log.ts). */
export async function execute(ports: string[], opts: LogOptions, cmd: Command, ctx: ActionContext): Promise<void> {
  // --data-dir's default must not hide LTOBMS_DATA_DIR: only an explicit flag wins over it.
  const explicitDataDir = cmd.getOptionValueSource('dataDir') === 'cli';
  // No port named and nothing to replay: the UART setting (LTOBMS_UART, ./.env, ltobms.config.json).
  const uart = ports.length || opts.replay?.length ? undefined : await settingValue('uart');
  try {
    await runLog(uart === undefined ? ports : [uart], { ...opts, dataDir: explicitDataDir ? opts.dataDir : undefined }, ctx.signal);
  } catch (err) {
    throw redactError(err);
  }
}
