/** The default firmware version: `git describe --tags` of the firmware sources, else `dev`. */
import { PACKAGE_ROOT } from './paths.js';

export async function defaultFirmwareVersion(cwd = PACKAGE_ROOT): Promise<string> {
  try {
    const { execa } = await import('execa');
    const { stdout, exitCode } = await execa('git', ['describe', '--tags'], { cwd, reject: false, stdin: 'ignore' });
    const version = String(stdout).trim();
    // tag names may hold characters a file name should not (e.g. release/1.0)
    return exitCode === 0 && version ? version.replace(/[^A-Za-z0-9._+-]/g, '-').slice(0, 40) : 'dev';
  } catch {
    return 'dev';
  }
}
