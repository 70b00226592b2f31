/**
 * A pseudo-terminal for the virtual target, made by socat: socat owns the pty master and relays
 * it to its stdin/stdout, which this module drives. A programmer opens the pty slave (the path
 * socat reports, or a stable symlink) exactly like a USB-serial adapter.
 *
 * The pty carries bytes only: no baud rate, parity or BREAK crosses it (hence the wire model's own
 * pacing and the 0x00-as-BREAK rule in the target).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { LtobmsError, UsageError } from '../errors.js';
import { debug } from '../util/debug.js';

const log = debug('ltobms:sim:pty');

export interface SocatPtyOptions {
  /** Also create this symlink to the pty (removed again when socat exits). */
  link?: string;
  /** Bytes the programmer wrote to the pty. */
  onData: (bytes: Uint8Array) => void;
  /** socat ended without being asked to (the error, if any). */
  onUnexpectedExit?: (error: LtobmsError) => void;
  /** How long to wait for socat to report the pty (ms). */
  startTimeoutMs?: number;
  /** The socat executable (for tests). */
  socatPath?: string;
}

export class SocatPty {
  private exited: Promise<void>;
  private closing = false;

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

  /** Bytes for the programmer. */
  write(bytes: Uint8Array): void {
    if (!this.closing && this.child.stdin.writable) this.child.stdin.write(bytes);
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
  static open(options: SocatPtyOptions): Promise<SocatPty> {
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

    return new Promise<SocatPty>((resolve, reject) => {
      let pty: SocatPty | undefined;
      let stderr = '';
      const fail = (error: LtobmsError) => {
        clearTimeout(timer);
        if (!pty) reject(error);
        else if (!pty.closing) options.onUnexpectedExit?.(error);
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
      child.stdout.on('data', (chunk: Buffer) => options.onData(new Uint8Array(chunk)));
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => {
        stderr += text;
        for (const line of text.split('\n').filter(Boolean)) log(line);
        const m = /PTY is (\S+)/.exec(stderr);
        if (m && !pty) {
          clearTimeout(timer);
          pty = new SocatPty(m[1], options.link, child, exited);
          resolve(pty);
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
