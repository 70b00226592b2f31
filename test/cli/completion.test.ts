/**
 * `ltobms completion`: the bash script is sourced in a real bash and asked what it offers for a
 * partial word (COMPREPLY), for every command and every option of the command table; the zsh and
 * fish scripts are syntax-checked by their shells where installed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { runCli } from '../helpers/cli.js';
import { COMMANDS, declareAll, registerCommands } from '../../src/cli/commands/index.js';
import { MEMORY_NAMES } from '../../src/updi/memory-names.js';

const dir = mkdtempSync(join(tmpdir(), 'ltobms-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' }).status === 0;

async function script(shell: string): Promise<string> {
  const r = await runCli(['completion', shell]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const path = join(dir, `ltobms.${shell}`);
  writeFileSync(path, r.stdout);
  return path;
}

let bashScript: Promise<string> | undefined;
/** What bash offers for the last word of `line` (split on spaces; a trailing space is an empty word). */
async function complete(line: string): Promise<string[]> {
  bashScript ??= script('bash');
  const words = line.split(' ');
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source '${await bashScript}' && COMP_WORDS=(${quoted}) && COMP_CWORD=${words.length - 1} && _ltobms && printf '%s\\n' "\${COMPREPLY[@]}"`], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', line);
  return r.stdout.split('\n').filter((w) => w !== '').sort();
}

test('bash: a partial command, option or value completes to what the command table holds', async () => {
  writeFileSync(join(dir, 'main.hex'), '');
  const cases: [string, string[]][] = [
    ['ltobms fl', ['flash']],
    ['ltobms c', ['calibrate', 'clean', 'completion', 'config']],
    ['ltobms -v ru', ['run']],
    ['ltobms --ver', ['--verbose', '--version']],
    ['ltobms help ma', ['manufacture']],
    ['ltobms flash --ba', ['--baud']],
    ['ltobms flash --p', ['--part', '--port', '--programmer']],
    ['ltobms flash -P /dev/ttyUSB0 --er', ['--erase']],
    ['ltobms flash mai', ['main.hex']],
    ['ltobms flash -p t8', ['t824', 't826', 't827']],
    ['ltobms erase -c ', ['serialupdi']],
    ['ltobms build --chemistry ', ['LTO', 'NAION', 'all']],
    ['ltobms eeprom --chemistry N', ['NAION']],
    ['ltobms eeprom --sn 7 --wr', ['--write']],
    ['ltobms eeprom ', ['decode']],
    ['ltobms read ', [...MEMORY_NAMES].sort()],
    ['ltobms read flash --format ', ['bin', 'hex']],
    ['ltobms write ', ['eeprom', 'userrow']],
    ['ltobms lock --yes', ['--yes-lock-the-chip']],
    ['ltobms fuses --dr', ['--dry-run']],
    ['ltobms stack ', ['down', 'status', 'up']],
    ['ltobms completion ', ['bash', 'fish', 'zsh']],
    ['ltobms manufacture --ledg', ['--ledger']],
    ['ltobms log --re', ['--reconnect', '--replay']],
    ['ltobms log --rep', ['--replay']],
  ];
  for (const [line, expected] of cases) assert.deepEqual(await complete(line), expected, line);
});

test('bash: every command, and every option of every command, is offered (the script is generated, not written)', async () => {
  assert.deepEqual(await complete('ltobms '), [...COMMANDS.map((c) => c.name), 'help', '--verbose', '--version', '-V', '-h', '--help', '-v'].sort());
  const program = new Command('ltobms');
  registerCommands(program);
  await declareAll(program);
  for (const cmd of program.commands) {
    const flags = cmd.options.flatMap((o) => [o.short, o.long]).filter((f): f is string => f !== undefined);
    assert.deepEqual(await complete(`ltobms ${cmd.name()} -`), [...flags, '-h', '--help'].sort(), cmd.name());
  }
});

test('zsh and fish: the scripts name every command and option; their shells accept the syntax where installed', async () => {
  for (const shell of ['zsh', 'fish']) {
    const path = await script(shell);
    const r = await runCli(['completion', shell]);
    for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`\\b${c.name}\\b`), `${shell}: ${c.name}`);
    if (shell === 'fish') {
      assert.match(r.stdout, /^complete -c ltobms -n '__fish_seen_subcommand_from flash' -s P -l port -r -F -d /m);
      assert.match(r.stdout, /^complete -c ltobms -n '__fish_seen_subcommand_from build' -l chemistry -x -a 'LTO NAION all' -d /m);
    } else {
      assert.match(r.stdout, /^#compdef ltobms$/m);
      assert.match(r.stdout, /^ {4}build:--chemistry\) compadd -- 'LTO' 'NAION' 'all'; return ;;$/m);
    }
    if (!has(shell)) continue;
    const check = spawnSync(shell, ['-n', path], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${shell} -n: ${check.stderr}`);
  }
  const b = spawnSync('bash', ['-n', await script('bash')], { encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
});

test('--json: the spec the scripts are rendered from', async () => {
  const r = await runCli(['completion', 'bash', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const spec = JSON.parse(r.stdout);
  assert.deepEqual(spec.commands.map((c: { name: string }) => c.name), COMMANDS.map((c) => c.name));
  const flash = spec.commands.find((c: { name: string }) => c.name === 'flash');
  assert.deepEqual(flash.options.find((o: { long?: string }) => o.long === '--part'), {
    short: '-p',
    long: '--part',
    description: "the part you expect (t824 or attiny824), checked against the chip's signature; -p is the part, as in avrdude",
    takesValue: true,
    values: ['t424', 't426', 't427', 't824', 't826', 't827', 't1624', 't1626', 't1627', 't3224', 't3226', 't3227'],
  });
});

test('an unknown shell is a usage error with the shells there are', async () => {
  const r = await runCli(['completion', 'tcsh']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, 'error: no completion for the shell "tcsh"\nhint: ltobms completion bash, zsh, fish\n');
  assert.equal(r.stdout, '');
});
