// The command table against the declarations it stands in for: `ltobms --help` is drawn from the
// table alone, so it must say exactly what the fully declared program would say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Help, type Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { COMMANDS, declareAll, declareCommand } from '../../src/cli/commands/index.js';

const sub = (program: Command, name: string) => program.commands.find((c) => c.name() === name)!;

test('ltobms --help from the table alone is the help of the fully declared program, byte for byte', async () => {
  const lazy = buildProgram();
  const full = buildProgram();
  await declareAll(full);
  assert.ok(sub(full, 'flash').options.length > 0 && sub(lazy, 'flash').options.length === 0, 'one declared, one not');
  assert.equal(lazy.helpInformation(), full.helpInformation());
});

test("each table row's arguments are the ones its declaration registers, and every command has options", async () => {
  const program = buildProgram();
  await declareAll(program);
  const help = new Help();
  for (const entry of COMMANDS) {
    const cmd = sub(program, entry.name);
    const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`)).join(' ');
    assert.equal(args, entry.args ?? '', entry.name);
    assert.ok(cmd.options.length > 0, `${entry.name} has options ([options] in the listing)`);
    assert.equal(help.subcommandTerm(cmd), `${entry.name} [options]${entry.args ? ` ${entry.args}` : ''}`, entry.name);
    assert.ok(cmd.description().length > 0, `${entry.name} has a description`);
  }
});

test('a command is declared once, whatever asks for it', async () => {
  const program = buildProgram();
  await declareCommand(program, 'eeprom');
  const count = sub(program, 'eeprom').options.length;
  await declareCommand(program, 'eeprom');
  await declareAll(program);
  assert.equal(sub(program, 'eeprom').options.length, count);
  assert.equal(sub(program, 'eeprom').commands.length, 1, 'one decode subcommand');
});
