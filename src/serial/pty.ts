/**
 * A pseudo-terminal made by socat, for programs outside this process: socat owns the pty master
 * and relays it to its stdin/stdout, which this module drives; the program opens the pty slave
 * (the path socat reports, or a stable symlink) exactly like a USB-serial adapter. `ltobms sim`
 * serves the virtual board on one; tests feed a log tail through one.
 *
 * Seen from here a SocatPty is a {@link DeviceEnd}: the bytes the program writes come in through
 * `onData`, `write` sends bytes to it. A pty carries bytes only: no baud rate, parity or BREAK
 * crosses it (hence the wire model's own pacing and the 0x00-as-BREAK rule in the target), so
 * `onBreak` never fires.
 *
 *   const pty = await SocatPty.open({ link: '/tmp/ttyBMS' });
 *   spawn('ltobms', ['log', pty.portPath]);
 *   await pty.send('line\r\n');   // the program reads it from the pty
 *   await pty.close();             // the pty (and the link) disappear, as when an adapter is unplugged
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LtobmsError, UsageError } from '../errors.js';
import { debug } from '../util/debug.js';
import { closedError } from './errors.js';
import type { DataListener, DeviceEnd } from './stream.js';

const log = debug('ltobms:serial:pty');

/** Bytes kept while nobody listens yet (socat may deliver before `open` has resolved). */
const UNHEARD_LIMIT = 65536;

export interface SocatPtyOptions {
  /** Also create this symlink to the pty (removed again when socat exits). */
  link?: string;
  /** Bytes the program wrote to the pty (same as calling `onData` later). */
  onData?: DataListener;
  /** socat ended without being asked to (the error, if any). */
  onUnexpectedExit?: (error: LtobmsError) => void;
  /** How long to wait for socat to report the pty (ms). */
  startTimeoutMs?: number;
  /** The socat executable (for tests). */
  socatPath?: string;
}

/** Whether socat can be run here. */
export function socatAvailable(socatPath = 'socat'): boolean {
  return spawnSync(socatPath, ['-V'], { stdio: 'ignore' }).status === 0;
}

export class SocatPty implements DeviceEnd {
  private exited: Promise<void>;
  private closing = false;
  private listener: DataListener | undefined;
  private unheard: Uint8Array[] = [];
  private unheardBytes = 0;

  private constructor(
    /** The pty slave device, e.g. /dev/pts/3. */
    readonly path: string,
    /** The symlink, if one was asked for. */
    readonly link: string | undefined,
    private readonly child: ChildProcessWithoutNullStreams,
    exited: Promise<void>,
  ) {
    this.exited = exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The path to hand to a program: the link if one was made, else the pty. */
  get portPath(): string {
    return this.link ?? this.path;
  }

  get name(): string {
    return this.portPath;
  }

  onData(listener: DataListener): void {
    this.listener = listener;
    const unheard = this.unheard;
    this.unheard = [];
    this.unheardBytes = 0;
    for (const bytes of unheard) listener(bytes);
  }

  /** A pty carries no BREAK condition: never called. */
  onBreak(_listener: () => void): void {}

  /** Bytes for the program on the pty. */
  write(bytes: Uint8Array): void {
    if (!this.closing && this.child.stdin.writable) this.child.stdin.write(bytes);
  }

  /** Bytes (a string is sent as latin1) for the program; resolves once socat has taken them. */
  send(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    if (this.closing || !this.child.stdin.writable) return Promise.reject(closedError(this.portPath));
    return new Promise((resolve, reject) => this.child.stdin.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** @internal Bytes from socat's stdout. */
  heard(bytes: Uint8Array): void {
    if (this.listener) {
      this.listener(bytes);
      return;
    }
    this.unheard.push(bytes);
    this.unheardBytes += bytes.length;
    while (this.unheardBytes > UNHEARD_LIMIT) this.unheardBytes -= this.unheard.shift()!.length;
  }

  /** Stops socat (SIGTERM, then SIGKILL after a second) and waits for it to exit. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.child.stdin.end();
      if (this.child.exitCode === null && this.child.signalCode === null) {
        this.child.kill('SIGTERM');
        const force = setTimeout(() => this.child.kill('SIGKILL'), 1000);
        await this.exited;
        clearTimeout(force);
      }
    }
    await this.exited;
  }

  /** Starts socat and resolves once it has reported the pty path. */
  static open(options: SocatPtyOptions = {}): Promise<SocatPty> {
    if (options.link !== undefined && /[,!\\'"\s]/.test(options.link)) {
      return Promise.reject(
        new UsageError(`--link ${options.link}: the path may not contain commas, quotes, backslashes, "!" or spaces`, {
          code: 'SIM_LINK',
          hint: 'choose a plain path such as /tmp/ttyUPDI',
        }),
      );
    }
    const address = ['PTY', 'rawer', 'echo=0', ...(options.link ? [`link=${options.link}`] : [])].join(',');
    const args = ['-d', '-d', address, 'STDIO'];
    log(`socat ${args.join(' ')}`);
    // Own process group: a Ctrl-C in the terminal must reach ltobms (which then stops socat in
    // order), not kill socat first. If ltobms dies, socat sees EOF on stdin and exits by itself.
    const child = spawn(options.socatPath ?? 'socat', args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    // A write after socat died fails with EPIPE; its exit is reported below, not as a crash.
    child.stdin.on('error', (err) => log(`stdin: ${err.message}`));

    return new Promise<SocatPty>((resolve, reject) => {
      let pty: SocatPty | undefined;
      let settled = false;
      let stderr = '';
      const fail = (error: LtobmsError) => {
        clearTimeout(timer);
        if (!settled) {
          settled = true;
          reject(error);
        } else if (!pty?.closing) options.onUnexpectedExit?.(error);
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        fail(new LtobmsError('socat did not report a pseudo-terminal in time', { code: 'SIM_PTY', hint: stderr.trim() || undefined }));
      }, options.startTimeoutMs ?? 5000);
      const exited = new Promise<void>((done) => child.once('close', () => done()));

      child.on('error', (err: NodeJS.ErrnoException) => {
        fail(
          err.code === 'ENOENT'
            ? new LtobmsError('socat is not installed', {
                code: 'SIM_NO_SOCAT',
                hint: 'install it (Debian/Ubuntu: sudo apt install socat); it creates the pseudo-terminal',
                cause: err,
              })
            : new LtobmsError(`cannot start socat: ${err.message}`, { code: 'SIM_PTY', cause: err }),
        );
      });
      const early: Uint8Array[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        const bytes = new Uint8Array(chunk);
        if (pty) pty.heard(bytes);
        else early.push(bytes);
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr += text;
        for (const line of text.split('\n').filter(Boolean)) log(line);
        const m = /PTY is (\S+)/.exec(stderr);
        if (m && !pty) {
          pty = new SocatPty(m[1], options.link, child, exited);
          if (options.onData) pty.onData(options.onData);
          for (const bytes of early.splice(0)) pty.heard(bytes);
          const ready = pty;
          // socat names the pty before it makes the link and before it applies the pty's settings
          // (rawer, echo=0): wait for both — it says so when its transfer loop starts — so that a
          // program opens a finished pty and settings read now are the ones it keeps.
          const waitForLink = () => {
            if (settled) return;
            if ((options.link !== undefined && !existsSync(options.link)) || !/starting data transfer loop/.test(stderr)) {
              setTimeout(waitForLink, 5);
              return;
            }
            settled = true;
            clearTimeout(timer);
            resolve(ready);
          };
          waitForLink();
        }
        if (stderr.length > 65536) stderr = stderr.slice(-4096);
      });
      child.once('close', (code, signal) => {
        const last = stderr.trim().split('\n').filter((l) => / [EF] /.test(l)).pop();
        fail(
          new LtobmsError(`socat exited (${signal ?? `code ${code}`})${last ? `: ${last.replace(/^.*? [EF] /, '')}` : ''}`, {
            code: 'SIM_PTY',
            hint: options.link ? `check that the directory of ${options.link} exists and is writable` : undefined,
          }),
        );
      });
    });
  }
}
