/**
 * `ltobms completion <shell>`: the shell's completion script, generated from the command table
 * (src/cli/completion/). The table declares every command before this runs (`needsAllDeclared`).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { printJson } from '../cli/run.js';
import { SHELLS, completionSpec, type Shell } from '../cli/completion/spec.js';
import { bashScript } from '../cli/completion/bash.js';
import { zshScript } from '../cli/completion/zsh.js';
import { fishScript } from '../cli/completion/fish.js';

const RENDER: Record<Shell, typeof bashScript> = { bash: bashScript, zsh: zshScript, fish: fishScript };

/** The action of `ltobms completion` (declared in src/cli/commands/completion.ts). */
export async function execute(shell: string, opts: { json?: boolean }, cmd: Command): Promise<void> {
  const name = shell.trim().toLowerCase();
  if (!(SHELLS as readonly string[]).includes(name)) {
    throw new UsageError(`no completion for the shell "${shell}"`, { code: 'USAGE', hint: `ltobms completion ${SHELLS.join(', ')}` });
  }
  const program = cmd.parent!;
  const spec = completionSpec(program);
  if (opts.json) printJson(spec);
  else process.stdout.write(RENDER[name as Shell](spec));
}
