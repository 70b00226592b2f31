/**
 * A private copy of the installed package (bin, dist/src, firmware, package.json; node_modules
 * linked) at a path of the test's choosing: firmware sources a test may edit, or a build from
 * another place on disk.
 */
import { cp, mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.js';

export async function copyPackage(into: string, subPath = 'pkg'): Promise<string> {
  const pkg = join(into, subPath);
  await mkdir(join(pkg, 'dist'), { recursive: true });
  await cp(join(REPO_ROOT, 'bin'), join(pkg, 'bin'), { recursive: true });
  await cp(join(REPO_ROOT, 'dist/src'), join(pkg, 'dist/src'), { recursive: true });
  await cp(join(REPO_ROOT, 'firmware'), join(pkg, 'firmware'), { recursive: true });
  await cp(join(REPO_ROOT, 'package.json'), join(pkg, 'package.json'));
  await symlink(join(REPO_ROOT, 'node_modules'), join(pkg, 'node_modules'));
  return pkg;
}
