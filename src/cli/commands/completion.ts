/**
 * `ltobms completion`: its options and help. The action is src/commands/completion.ts, imported
 * when the command runs.
 */
import type { Command } from 'commander';
import { lazyAction } from '../run.js';

export function declare(cmd: Command): void {
  cmd
    .description(
      'Print a shell completion script for bash, zsh or fish: commands, their options, and the values some options ' +
        'take (chemistries, parts, memories), generated from the command table of this ltobms.',
    )
    .argument('<shell>', 'bash, zsh or fish')
    .option('--json', 'print what the script completes (commands, options, values) as JSON instead')
    .addHelpText(
      'after',
      `
Examples:
  $ source <(ltobms completion bash)                        this shell (add the line to ~/.bashrc)
  $ ltobms completion bash > ~/.local/share/bash-completion/completions/ltobms
  $ ltobms completion zsh > "\${fpath[1]}/_ltobms"            then start a new zsh
  $ ltobms completion fish > ~/.config/fish/completions/ltobms.fish`,
    )
    .action(lazyAction(async () => (await import('../../commands/completion.js')).execute));
}
