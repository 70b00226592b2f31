/**
 * "Is this output up to date?" for the firmware build, make-style.
 *
 * An output is current when it exists, the exact command that made it is unchanged (stored
 * in `.cmd/<output name>` beside it), and no input is newer than it. Inputs are the explicit ones
 * plus, for compiled objects, every header named in the dependency file gcc wrote with
 * `-MMD -MP`. A missing dependency counts as changed. No tool runs for a current output, so a
 * no-op rebuild spawns no compiler at all.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface Step {
  /** The file this step produces. */
  output: string;
  /** Program and arguments; any change forces a rebuild. */
  command: string[];
  /** Files read by the step (sources, objects, the ELF...). */
  inputs: string[];
  /** gcc `-MMD` dependency file naming further inputs (headers). */
  depFile?: string;
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Parses a make dependency file as written by gcc `-MMD -MP`: the prerequisites of the first
 * rule (escaped spaces and line continuations handled). The phony header rules `-MP` adds are
 * ignored.
 */
export function parseDepFile(text: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const firstRule = joined.split(/\r?\n/).find((l) => l.includes(':'));
  if (!firstRule) return [];
  // Skip the target: up to the first ': ' that is not a drive letter or escaped.
  const colon = firstRule.search(/:(\s|$)/);
  const rest = colon < 0 ? '' : firstRule.slice(colon + 1);
  const deps: string[] = [];
  let current = '';
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\' && rest[i + 1] === ' ') {
      current += ' ';
      i++;
    } else if (c === ' ' || c === '\t') {
      if (current) deps.push(current);
      current = '';
    } else if (c === '$' && rest[i + 1] === '$') {
      current += '$';
      i++;
    } else {
      current += c;
    }
  }
  if (current) deps.push(current);
  return deps;
}

/** Where the command of an output is recorded: `<dir>/.cmd/<name>` (out of the user's sight). */
function commandFile(step: Step): string {
  return join(dirname(step.output), '.cmd', basename(step.output));
}

/** True when the step's output exists, was made by the same command and no input is newer. */
export async function isUpToDate(step: Step): Promise<boolean> {
  const out = await mtime(step.output);
  if (out === undefined) return false;
  let recorded: string;
  try {
    recorded = await readFile(commandFile(step), 'utf8');
  } catch {
    return false;
  }
  if (recorded !== JSON.stringify(step.command)) return false;
  let inputs = step.inputs;
  if (step.depFile) {
    try {
      inputs = inputs.concat(parseDepFile(await readFile(step.depFile, 'utf8')));
    } catch {
      return false;
    }
  }
  for (const input of inputs) {
    const t = await mtime(input);
    if (t === undefined || t > out) return false;
  }
  return true;
}

/** Records the command that just produced the step's output (call after success only). */
export async function recordStep(step: Step): Promise<void> {
  const file = commandFile(step);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(step.command));
}
