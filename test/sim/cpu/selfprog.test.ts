// NVMCTRL driven by the CPU (selfprog.c): a flash page rewritten under the CCP SPM key (0x9D) runs as new code,
// EEPROM bytes are written with ERWP (0x03), and a command without the key is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFixture, runProgram } from './avr-program.js';

test('flash self-programming replaces running code; EEPROM writes; a command without CCP is ignored', async () => {
  const flash = await buildFixture('selfprog.c', {
    ldflags: ['-Wl,--section-start=.selfprog=0x1000'],
    sections: ['.selfprog'],
  });
  const run = runProgram(flash, { seconds: 1 });
  assert.equal(run.result, 'break', run.text);
  assert.equal(run.text, 'before 11\nafter 5a\neeprom a55a\nnokey ff\nEND\n');
  const { chip } = run;
  assert.deepEqual(Array.from(chip.memories.flash.subarray(0x1000, 0x1004)), [0x8a, 0xe5, 0x08, 0x95]);
  assert.ok(chip.memories.flash.subarray(0x1004, 0x1040).every((b) => b === 0xff), 'rest of the page erased');
  assert.deepEqual(Array.from(chip.memories.eeprom.subarray(5, 8)), [0xa5, 0x5a, 0xff]);
  assert.equal(chip.ccpViolations.get('NVMCTRL.CTRLA'), 1);
  // Both erase-writes ran, each taking the datasheet's 4 ms: the EEPROM command came at least 4 ms after the flash one.
  const cmds = run.trace.filter((e) => e.type === 'nvm' && e.command === 'ERWP' && e.ok);
  assert.equal(cmds.length, 2);
  assert.ok(cmds[1]!.t - cmds[0]!.t >= 0.004);
});
