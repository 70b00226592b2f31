/**
 * The one place where log events become output, for `ltobms log` and the tail of `ltobms run`:
 * frames on stdout (a compact line, or a JSON object with --json), debug text and garbage lines,
 * port status and writer warnings on stderr (a spinner while a port is awaited on a terminal,
 * plain lines otherwise).
 */
import type { SessionEvent } from '../logging/session.js';
import { formatFrameLine, frameRecord, paint } from '../logging/render.js';
import { redact } from '../logging/redact.js';
import { debug } from '../util/debug.js';
import { Spinner } from './spinner.js';

const log = debug('ltobms:log');

export interface LogViewOptions {
  /** One JSON object per line on stdout for frames, debug and garbage lines. */
  json: boolean;
  /** No line per frame, debug or garbage line; warnings only. */
  quiet: boolean;
  /** Name the port on each line (several boards in one process). */
  showPort: boolean;
  /** ANSI colours on stdout. */
  colour: boolean;
  /** A spinner for awaited ports (an interactive terminal). */
  interactive: boolean;
}

export class LogView {
  private readonly spinner: Spinner | undefined;
  private readonly waiting = new Map<string, string>();
  private lastRetryMessage = '';

  constructor(private readonly options: LogViewOptions) {
    this.spinner = options.interactive ? new Spinner(process.stderr) : undefined;
  }

  /** A status line on stderr (redacted: writer messages may name the server and its credentials). */
  line(text: string): void {
    const safe = redact(text);
    if (this.spinner) this.spinner.print(safe);
    else process.stderr.write(safe + '\n');
  }

  /** Clears the spinner; call before the summary. */
  stop(): void {
    this.spinner?.stop();
  }

  readonly event = (e: SessionEvent): void => {
    const o = this.options;
    switch (e.type) {
      case 'frame': {
        if (o.quiet) break;
        const record = frameRecord(e.port, e.point);
        process.stdout.write((o.json ? JSON.stringify(record) : formatFrameLine(record, { colour: o.colour, showPort: o.showPort })) + '\n');
        break;
      }
      case 'debug':
        if (o.json) process.stdout.write(JSON.stringify(e) + '\n');
        else if (!o.quiet) process.stdout.write(paint(`debug ${o.showPort ? e.port + ' ' : ''}${e.text}`, ['dim'], o.colour) + '\n');
        break;
      case 'garbage':
        if (o.json) process.stdout.write(JSON.stringify(e) + '\n');
        else if (!o.quiet) this.line(`garbage from ${e.port}: ${e.reason}${e.detail ? ` (${e.detail})` : ''}`);
        break;
      case 'port-waiting':
        this.waiting.set(e.port, e.reason);
        if (this.spinner) this.spinWaiting();
        else if (!e.reconnect) this.line(`waiting for ${e.port} (${e.reason})…`); // after an unplug the port-lost line said so
        break;
      case 'port-open':
        this.waiting.delete(e.port);
        this.spinner?.stop();
        this.line(e.reconnect ? `${e.port} is back: reading again` : `reading ${e.port}`);
        if (this.waiting.size) this.spinWaiting();
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
      case 'fatal':
        // Reported once, as the command's error, when the session has ended.
        break;
    }
  };

  private spinWaiting(): void {
    this.spinner!.start(`waiting for ${[...this.waiting].map(([p, r]) => `${p} (${r})`).join(', ')}…`);
  }
}
