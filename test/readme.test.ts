/**
 * Every `ltobms …` example in README.md's ```sh blocks goes through the CLI's own option parser
 * (the real command table and declarations, each action replaced by a recorder), so a renamed or
 * removed option, a wrong argument count or an unknown command fails here. The ones that need no
 * hardware, server or long run are also run for real: EEPROM images (their documented output
 * included) and decoding.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { buildProgram } from '../src/cli/program.js';
import { declareAll } from '../src/cli/commands/index.js';
import { REPO_ROOT, runCli } from './helpers/cli.js';

interface Example {
  /** The README line (joined over `\` continuations) it came from. */
  line: string;
  /** The words after `ltobms`. */
  args: string[];
  /** What a trailing `# prints …` comment promises, if any. */
  prints?: string;
}

/** Splits one shell command into words: single and double quotes, nothing fancier. */
function shellWords(text: string): string[] {
  const words: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** Removes a `#` comment that is outside quotes. */
function stripComment(line: string): { code: string; comment?: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return { code: line.slice(0, i), comment: line.slice(i + 1).trim() };
  }
  return { code: line };
}

/** The `ltobms` invocations of README's sh blocks. */
export function readmeExamples(readme: string): Example[] {
  const examples: Example[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1]!.replace(/\\\n\s*/g, ' ').split('\n');
    for (const line of lines) {
      const { code, comment } = stripComment(line);
      // every command of `a && b | c &` that runs ltobms
      for (const part of code.split(/&&|\|\||\||;|&\s*$/)) {
        const words = shellWords(part.trim());
        while (words.length && /^[A-Z_][A-Z0-9_]*=/.test(words[0]!)) words.shift(); // VAR=value prefixes
        const at = words.findIndex((w) => w === 'ltobms' || w.endsWith('/bin/ltobms'));
        if (at !== 0) continue;
        const prints = /^prints (\S+)/.exec(comment ?? '')?.[1];
        examples.push({ line: line.trim(), args: words.slice(1), ...(prints ? { prints } : {}) });
      }
    }
  }
  return examples;
}

/** Parses `args` as `ltobms args` would, every action replaced: resolves, or rejects with commander's error. */
async function parseOnly(args: string[]): Promise<void> {
  const program = buildProgram();
  await declareAll(program);
  const errors: string[] = [];
  const quiet = (cmd: Command) => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: () => undefined, writeErr: (s) => errors.push(s) });
    if (cmd !== program) cmd.action(() => undefined);
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(['node', 'ltobms', ...args]);
  } catch (err) {
    if (err instanceof CommanderError && ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)) return;
    throw new Error(`${errors.join('').trim() || String(err)}`);
  }
}

const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
const examples = readmeExamples(readme);

describe('README examples', () => {
  it('finds the examples (the extractor works on the README as written)', () => {
    assert.ok(examples.length >= 40, `only ${examples.length} ltobms examples found`);
    assert.ok(examples.some((e) => e.args[0] === 'demo'));
    assert.ok(examples.some((e) => e.args.join(' ') === 'eeprom --sn 7 --temp-offset 5'));
  });

  it('the extractor keeps env prefixes out, splits && and pipes, joins continuations', () => {
    const found = readmeExamples(
      '```sh\nA=1 B=2 ltobms log --target influx1 /dev/x   # c\nltobms fuses -p P && ltobms flash f.hex -p P\nltobms build --json | jq .\nltobms sim --a \\\n  --b &\n```\n',
    );
    assert.deepEqual(
      found.map((e) => e.args.join(' ')),
      ['log --target influx1 /dev/x', 'fuses -p P', 'flash f.hex -p P', 'build --json', 'sim --a --b'],
    );
  });

  it('a renamed option fails the parse', async () => {
    await assert.rejects(parseOnly(['eeprom', '--serial-number', '7']), /unknown option/);
    await assert.rejects(parseOnly(['no-such-command']), /unknown command/);
  });

  for (const example of examples) {
    it(`parses: ltobms ${example.args.join(' ')}`, async () => {
      await parseOnly(example.args);
    });
  }

  const runnable = examples.filter((e) => e.args[0] === 'eeprom' && !e.args.some((a) => ['-P', '--port', '--write', '-f', '--file'].includes(a)) && !e.args.includes('decode'));
  it('runs the EEPROM examples that print an image and checks the documented output', async () => {
    assert.ok(runnable.length >= 1);
    for (const example of runnable) {
      const r = await runCli(example.args);
      assert.equal(r.code, 0, `${example.line}\n${r.stderr}`);
      if (example.prints) assert.equal(r.stdout.trim(), example.prints, example.line);
    }
  });
});
