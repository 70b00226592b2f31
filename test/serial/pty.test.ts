/**
 * The socat pty wrapper: a program opens the pty (or its stable link) like an adapter; bytes
 * cross both ways; closing removes the link, as unplugging removes /dev/ttyUSB0; bad links and a
 * missing socat are reported with the fix.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SocatPty, socatAvailable } from '../../src/serial/pty.js';
import { LtobmsError, UsageError } from '../../src/errors.js';

const skip = socatAvailable() ? false : 'needs socat';

describe('SocatPty', { skip }, () => {
  test('a program on the link and the pty exchange bytes; bytes sent before anyone listens are kept', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ltobms-pty-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const link = join(dir, 'ttyBMS');
    const pty = await SocatPty.open({ link });
    t.after(() => pty.close());
    assert.equal(pty.portPath, link);
    assert.match(pty.path, /^\/dev\/pts\/\d+$/);
    assert.ok(existsSync(link));

    const program = await open(link, 'r+');
    t.after(() => program.close());
    await program.write(Buffer.from('hello'));
    // Nobody listens yet: the bytes wait for the listener.
    for (let i = 0; i < 200; i++) await new Promise((r) => setTimeout(r, 5));
    const heard: string[] = [];
    pty.onData((b) => heard.push(Buffer.from(b).toString()));
    assert.equal(heard.join(''), 'hello');

    await pty.send('world');
    const buf = Buffer.alloc(5);
    const { bytesRead } = await program.read(buf, 0, 5, null);
    assert.equal(buf.subarray(0, bytesRead).toString(), 'world'.slice(0, bytesRead));
    assert.equal(pty.name, link);
  });

  test('close removes the link and ends socat; sending afterwards is a closed-port error', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ltobms-pty-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const link = join(dir, 'ttyBMS');
    const pty = await SocatPty.open({ link });
    await pty.close();
    assert.equal(existsSync(link), false);
    await assert.rejects(pty.send('x'), /is closed/);
  });

  test('a link path socat cannot take is a usage error with a hint', async () => {
    await assert.rejects(SocatPty.open({ link: '/tmp/a,b' }), (e: unknown) => e instanceof UsageError && /commas/.test(e.message) && /\/tmp\/ttyUPDI/.test(e.hint ?? ''));
  });
});

test('without socat: SIM_NO_SOCAT with the install hint', async () => {
  await assert.rejects(SocatPty.open({ socatPath: '/nonexistent/socat' }), (e: unknown) => {
    assert.ok(e instanceof LtobmsError);
    assert.equal(e.code, 'SIM_NO_SOCAT');
    assert.match(e.hint ?? '', /apt install socat/);
    return true;
  });
});
