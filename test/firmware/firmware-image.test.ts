/**
 * The real firmware image: vector table wired to its two interrupt handlers, memory layout,
 * the release budget, and the configuration-change-protected writes the datasheet requires
 * (CCP key and the protected store in consecutive instructions). Checked with avr-objdump
 * and avr-nm.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { buildFirmwares, type FirmwareBuild } from '../../src/firmware/firmware.js';

async function symbols(elf: string): Promise<Map<string, number>> {
  const { stdout } = await execa('avr-nm', [elf]);
  return new Map([...stdout.matchAll(/^([0-9a-f]+) \S (\S+)$/gm)].map((m) => [m[2], parseInt(m[1], 16)]));
}

/** [address, "mnemonic operands"] of .text, in order. */
async function code(elf: string): Promise<[number, string][]> {
  const { stdout } = await execa('avr-objdump', ['-d', '-j', '.text', elf]);
  return [...stdout.matchAll(/^\s+([0-9a-f]+):\t(?:[0-9a-f]{2} )+\s*\t(.*)$/gm)].map((m) => [
    parseInt(m[1], 16),
    m[2].replace(/\s*;.*$/, '').replace(/\s+/g, ' ').trim(),
  ]);
}

describe('firmware image', () => {
  let dir: string;
  let builds: FirmwareBuild[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ltobms-fwimage-'));
    builds = await buildFirmwares(['LTO', 'NAION'], { version: 't1', outDir: dir });
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fits the release budget: 4096 B flash, 256 B static RAM', () => {
    for (const b of builds) {
      assert.ok(b.memory.flash <= 4096, `${b.chemistry} flash ${b.memory.flash}`);
      assert.ok(b.memory.ram <= 256, `${b.chemistry} RAM ${b.memory.ram}`);
      assert.equal(b.memory.sections['.data'] ?? 0, 0, 'no initialised RAM: constants stay in flash');
    }
  });

  it('routes RTC_PIT (4), TWI0_TWIS (14), USART0_DRE (18), USART0_TXC (19) and ADC0_RESRDY (22) to handlers, every other vector to the default', async () => {
    const handled = new Set([4, 14, 18, 19, 22]);
    for (const b of builds) {
      const syms = await symbols(b.artifacts.elf);
      const text = await code(b.artifacts.elf);
      const at = new Map(text);
      for (let n = 0; n < 30; n++) {
        const m = /^rjmp \.([+-]\d+)$/.exec(at.get(2 * n) ?? '');
        assert.ok(m, `vector ${n} is an rjmp`);
        const target = 2 * n + 2 + Number(m[1]);
        const expected = n === 0 ? '__init' : handled.has(n) ? `__vector_${n}` : '__bad_interrupt';
        assert.equal(target, syms.get(expected), `${b.chemistry} vector ${n} → ${expected}`);
      }
    }
  });

  it('writes MCLKCTRLB (0x0061) and NVMCTRL.CTRLA (0x1000) right after the CCP key', async () => {
    const text = await code(builds[0].artifacts.elf);
    const stores: string[] = [];
    text.forEach(([, ins], i) => {
      if (ins.startsWith('out 0x34,')) stores.push(text[i + 1]?.[1] ?? '');
    });
    assert.ok(stores.some((s) => /^sts 0x0061, r\d+$/.test(s)), `clock prescaler: ${stores.join(' | ')}`);
    assert.ok(stores.some((s) => /^sts 0x1000, r\d+$/.test(s)), 'NVM command');
    assert.ok(stores.every((s) => s.startsWith('sts ')), 'every CCP key is followed by the protected store');
  });

  it('keeps the version string and no debug text in a release image', async () => {
    for (const b of builds) {
      const bin = await readFile(b.artifacts.bin);
      assert.ok(bin.includes(Buffer.from(`ltobms-fw t1 ${b.chemistry}\0`)));
      assert.ok(!bin.includes(Buffer.from('# eeprom')));
      assert.ok(bin.includes(Buffer.from(b.chemistry === 'LTO' ? 'lto-bms\0' : 'nai-bms\0')));
    }
  });

  it('builds the test-only watchdog-hang variant from the same sources', async () => {
    const [hang] = await buildFirmwares(['LTO'], { version: 't1', outDir: join(dir, 'hang'), defines: { FW_TEST_HANG_AFTER: 5 } });
    const bin = await readFile(hang.artifacts.bin);
    assert.notDeepEqual(bin, await readFile(builds[0].artifacts.bin));
    assert.ok(hang.memory.flash <= 8192);
  });
});
