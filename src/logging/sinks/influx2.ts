/**
 * InfluxDB 2.x / 3.x (and 1.8+ through its v2 compatibility endpoint) through
 * @influxdata/influxdb-client: `POST /api/v2/write?org=…&bucket=…&precision=ns` with
 * `Authorization: Token …`. The client's own batching and retry buffer are not used: the spool in
 * front of every sink already batches, retries and survives restarts, so each batch is sent once
 * per attempt through the client's transport and its HttpError is classified here.
 */
import type { HttpError, InfluxDB } from '@influxdata/influxdb-client';
import type { Target } from '../config.js';
import { describeTarget } from '../config.js';
import { debug } from '../../util/debug.js';
import { redact } from '../redact.js';
import { isRetryableStatus, networkMessage, retryAfterMs, transportError, WriteError, type Sink } from './types.js';

type Influx2Target = Extract<Target, { kind: 'influx2' }>;
const log = debug('ltobms:log:influx2');

type ClientModule = typeof import('@influxdata/influxdb-client');
let clientModule: Promise<ClientModule> | undefined;

/**
 * The client package, loaded with the first InfluxDB 2.x sink (it costs start-up time that a
 * file target or another command should not pay).
 */
function loadClient(): Promise<ClientModule> {
  clientModule ??= import('@influxdata/influxdb-client').then((m) => {
    // The client logs failures to the console by default; a library must not print.
    m.setLogger({
      error: (message: string, err?: unknown) => log(redact(`client error: ${message} ${networkMessage(err)}`)),
      warn: (message: string, err?: unknown) => log(redact(`client warning: ${message} ${networkMessage(err)}`)),
    });
    return m;
  });
  return clientModule;
}

export class Influx2Sink implements Sink {
  readonly description: string;
  readonly durable = false;
  private client: Promise<{ influx: InfluxDB; HttpError: typeof HttpError }> | undefined;
  private readonly path: string;

  constructor(
    private readonly target: Influx2Target,
    private readonly timeoutMs = 10_000,
  ) {
    this.description = describeTarget(target);
    const params = new URLSearchParams({ org: target.org, bucket: target.bucket, precision: 'ns' });
    this.path = `/api/v2/write?${params}`;
  }

  async write(lines: readonly string[]): Promise<void> {
    // The URL was checked when the configuration was read, so making the client cannot fail here.
    this.client ??= loadClient().then((m) => ({ influx: new m.InfluxDB({ url: this.target.url, token: this.target.token, timeout: this.timeoutMs }), HttpError: m.HttpError }));
    const { influx, HttpError } = await this.client;
    try {
      await influx.transport.request(this.path, lines.join('\n'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      });
    } catch (err) {
      if (err instanceof HttpError) {
        const serverMessage = serverText(err);
        throw new WriteError(
          `the server answered ${err.statusCode}${serverMessage ? `: ${serverMessage}` : ''}`,
          isRetryableStatus(err.statusCode),
          err.statusCode,
          serverMessage,
          retryAfterMs(err.headers?.['retry-after'] as string | undefined),
        );
      }
      throw transportError(err, this.timeoutMs);
    }
  }

  async close(): Promise<void> {}
}

function serverText(err: HttpError): string {
  const json = err.json as { message?: string; error?: string } | undefined;
  return (json?.message ?? json?.error ?? err.body ?? '').toString().trim();
}
