/**
 * Points a server refused for good (a non-retryable status such as 400) are never dropped: each
 * rejected batch is appended (and fsynced) to a dead-letter file, preceded by a comment line with the
 * time, the status and the server's message. The file is line protocol, so after fixing the cause
 * `ltobms log --replay FILE` loads it (comment lines are skipped).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class DeadLetterFile {
  constructor(readonly path: string) {}

  append(lines: readonly string[], reason: string): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const header = `# ${new Date().toISOString()} rejected ${lines.length} point(s): ${reason.replace(/[\r\n]+/g, ' ')}\n`;
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, header + lines.join('\n') + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
