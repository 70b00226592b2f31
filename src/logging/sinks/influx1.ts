/**
 * InfluxDB 1.x: `POST /write?db=…&rp=…&precision=ns`, HTTP basic auth when a user is configured.
 * A 204 means every point was stored; errors carry the server's JSON `{"error": "..."}` message.
 */
import type { Target } from '../config.js';
import { describeTarget } from '../config.js';
import { isRetryableStatus, retryAfterMs, transportError, WriteError, type Sink } from './types.js';

type Influx1Target = Extract<Target, { kind: 'influx1' }>;

export class Influx1Sink implements Sink {
  readonly description: string;
  readonly durable = false;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(
    target: Influx1Target,
    private readonly timeoutMs = 10_000,
  ) {
    this.description = describeTarget(target);
    const params = new URLSearchParams({ db: target.db, precision: 'ns' });
    if (target.rp) params.set('rp', target.rp);
    this.endpoint = `${target.url}/write?${params}`;
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (target.user !== undefined) {
      const basic = Buffer.from(`${target.user}:${target.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
  }

  async write(lines: readonly string[]): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body: lines.join('\n'),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw transportError(err, this.timeoutMs);
    }
    if (response.status === 204 || response.status === 200) {
      await response.arrayBuffer().catch(() => undefined);
      return;
    }
    const text = await response.text().catch(() => '');
    let serverMessage = text.trim();
    try {
      const body = JSON.parse(text) as { error?: string };
      if (body.error) serverMessage = body.error;
    } catch {
      // not JSON: keep the text
    }
    throw new WriteError(
      `the server answered ${response.status}${serverMessage ? `: ${serverMessage}` : ''}`,
      isRetryableStatus(response.status),
      response.status,
      serverMessage,
      retryAfterMs(response.headers.get('retry-after')),
    );
  }

  async close(): Promise<void> {}
}
