/**
 * Questions answered by a line on stdin (so a script can answer too), one at a time even when
 * several workers ask at once. stdin is opened only at the first question.
 */
import { createInterface, type Interface } from 'node:readline';

export class LinePrompt {
  private rl: Interface | undefined;
  private readonly lines: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;
  /** The question being asked; the next one waits for it. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly signal: AbortSignal) {}

  /**
   * Writes `question` on stderr and reads answers until `parse` accepts one; undefined when stdin
   * ends or Ctrl-C.
   */
  ask<T>(question: string, parse: (answer: string) => T | undefined): Promise<T | undefined> {
    const mine = this.turn.then(async () => {
      this.open();
      for (;;) {
        process.stderr.write(question);
        const answer = await this.next();
        if (answer === undefined) {
          process.stderr.write('\n');
          return undefined;
        }
        const parsed = parse(answer.trim().toLowerCase());
        if (parsed !== undefined) return parsed;
        process.stderr.write(`"${answer.trim()}"? `);
      }
    });
    this.turn = mine.catch(() => undefined);
    return mine;
  }

  close(): void {
    this.rl?.close();
  }

  private open(): void {
    if (this.rl) return;
    this.rl = createInterface({ input: process.stdin, terminal: false });
    this.rl.on('line', (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(line);
      } else this.lines.push(line);
    });
    this.rl.on('close', () => {
      this.ended = true;
      this.waiter?.(undefined);
      this.waiter = undefined;
    });
  }

  private next(): Promise<string | undefined> {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.ended || this.signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiter = undefined;
        resolve(undefined);
      };
      this.signal.addEventListener('abort', onAbort, { once: true });
      this.waiter = (line) => {
        this.signal.removeEventListener('abort', onAbort);
        resolve(line);
      };
    });
  }
}
