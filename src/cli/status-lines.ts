/**
 * One status line per worker (e.g. per fixture of `ltobms manufacture -p A -p B`), kept at the
 * bottom of a terminal and redrawn in place; permanent lines (results, warnings) scroll above them.
 * Without a terminal every change is a line of its own, prefixed with the worker's label.
 */
export class StatusLines {
  private readonly texts: string[];
  private drawn = 0;

  constructor(
    private readonly labels: readonly string[],
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly interactive = stream.isTTY === true && (stream.columns ?? 0) > 0 && !process.env.CI,
  ) {
    this.texts = labels.map(() => '');
  }

  /** Sets worker `i`'s status (a line of its own without a terminal). */
  set(i: number, text: string): void {
    if (this.texts[i] === text) return;
    this.texts[i] = text;
    if (this.interactive) this.redraw();
    else this.stream.write(`${this.labels[i]}: ${text}\n`);
  }

  /** Writes a permanent line above the status lines (to `stream`, stderr by default). */
  print(line: string, stream: NodeJS.WriteStream = this.stream): void {
    this.clear();
    stream.write(line + '\n');
    if (this.interactive) this.redraw();
  }

  /** Removes the status lines (before a prompt or the summary). */
  stop(): void {
    this.clear();
  }

  private clear(): void {
    if (!this.drawn) return;
    this.stream.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    this.clear();
    const width = Math.max(20, (this.stream.columns ?? 80) - 1);
    const pad = Math.max(...this.labels.map((l) => l.length));
    for (let i = 0; i < this.labels.length; i++) this.stream.write(`${this.labels[i]!.padEnd(pad)}  ${this.texts[i]}`.slice(0, width) + '\n');
    this.drawn = this.labels.length;
  }
}
