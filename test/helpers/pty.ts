/**
 * A pseudo-terminal pair made by socat: one end for the program under test (it opens `devicePath`
 * like a USB-serial adapter), the other end for the test, which feeds bytes into it.
 *
 * API:
 *   const pty = await createPtyPair();
 *   pty.devicePath          path the program opens (a symlink to /dev/pts/N)
 *   pty.feedPath            the other end's path
 *   await pty.write('line\r\n' | Buffer)   writes bytes into the feed end (they arrive at devicePath)
 *   pty.read()              everything the program wrote to devicePath so far, as a Buffer
 *   await pty.close()       ends socat: devicePath disappears, as when an adapter is unplugged
 *   createPtyPair({ dir })  links in a folder you own, so a new pair can reappear at the same path
 * `socatAvailable()` says whether socat is installed. A process 'exit' hook kills forgotten socats.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  readonly devicePath: string;
  readonly feedPath: string;
  write(data: string | Uint8Array): Promise<void>;
  read(): Buffer;
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * `options.dir`: put the two links in this existing folder (kept on close), so a test can make the
 * "same adapter" reappear at the same path after `close()`.
 */
export async function createPtyPair(options: { dir?: string } = {}): Promise<PtyPair> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'ltobms-pty-'));
  const devicePath = join(dir, 'device');
  const feedPath = join(dir, 'feed');
  const socat = spawn(
    'socat',
    ['-b', '65536', `pty,raw,echo=0,link=${feedPath}`, `pty,raw,echo=0,link=${devicePath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  live.add(socat);
  let stderr = '';
  socat.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) =>
    socat.on('exit', () => {
      live.delete(socat);
      resolve();
    }),
  );
  const deadline = Date.now() + 5000;
  while (!(existsSync(devicePath) && existsSync(feedPath))) {
    if (socat.exitCode !== null) throw new Error(`socat exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`socat did not create the pty pair: ${stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  let feed: FileHandle | undefined = await open(feedPath, 'r+');
  const received: Buffer[] = [];
  // Read what the program sends back, so the pty never fills up.
  const reader = feed.createReadStream({ autoClose: false });
  reader.on('data', (d) => received.push(d as Buffer));
  reader.on('error', () => undefined);

  return {
    devicePath,
    feedPath,
    async write(data) {
      if (!feed) throw new Error('pty pair is closed');
      const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      let off = 0;
      while (off < bytes.length) off += (await feed.write(bytes, off)).bytesWritten;
    },
    read: () => Buffer.concat(received),
    async close() {
      const handle = feed;
      feed = undefined;
      reader.destroy();
      if (socat.exitCode === null && socat.signalCode === null) {
        socat.kill('SIGTERM');
        await exited;
      }
      await handle?.close().catch(() => undefined);
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
