/**
 * Headless Chromium (Debian's `chromium`) for the report tests: loads a local HTML file with no
 * network, a fresh profile and no background services, and returns the DOM after the page's
 * scripts ran, or a PNG screenshot decoded to pixels.
 *
 *   chromiumPath()                                   /usr/bin/chromium, or undefined when absent
 *   await dumpDom(file, { width, height }, '#board=1')  the serialised DOM (what the script drew sets data-*)
 *   await screenshot(file, { width, height })        { width, height, pixel(x, y) → [r, g, b] }
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function chromiumPath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

export interface Viewport {
  width: number;
  height: number;
}

/** Runs chromium headless on the file with `extra` flags in a throw-away profile. */
async function runChromium(file: string, viewport: Viewport, extra: string[], hash = ''): Promise<string> {
  const bin = chromiumPath();
  if (!bin) throw new Error('chromium is not installed');
  const profile = mkdtempSync(join(tmpdir(), 'ltobms-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    '--hide-scrollbars',
    '--force-device-scale-factor=1',
    `--window-size=${viewport.width},${viewport.height}`,
    // Lets the page's scripts (and uPlot's first draw) finish before the DOM or pixels are taken.
    '--virtual-time-budget=5000',
    ...extra,
    pathToFileURL(file).href + hash,
  ];
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(bin, args, { timeout: 90_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** `hash`: a fragment for the page's address, e.g. `#board=1`. */
export function dumpDom(file: string, viewport: Viewport, hash = ''): Promise<string> {
  return runChromium(file, viewport, ['--dump-dom'], hash);
}

export interface Picture {
  width: number;
  height: number;
  pixel(x: number, y: number): [number, number, number];
  /** The PNG file as written by chromium. */
  png: Buffer;
}

export async function screenshot(file: string, viewport: Viewport): Promise<Picture> {
  const dir = mkdtempSync(join(tmpdir(), 'ltobms-shot-'));
  try {
    const out = join(dir, 'shot.png');
    await runChromium(file, viewport, [`--screenshot=${out}`]);
    const png = readFileSync(out);
    const image = PNG.sync.read(png);
    return {
      width: image.width,
      height: image.height,
      png,
      pixel(x, y) {
        const i = (Math.round(y) * image.width + Math.round(x)) * 4;
        return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
