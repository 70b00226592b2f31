/**
 * A terminal spinner on stderr that loads ora only when it is created: ora and its dependencies
 * cost ~90 ms of start-up, and a spinner is drawn only on an interactive terminal, so a command
 * run in a pipe, a script or CI never loads it.
 *
 * ora loads asynchronously; until it is there the spinner keeps its state (text, spinning) and
 * draws it when ora arrives. A line printed meanwhile goes straight to the stream, and an
 * outcome (succeed / fail) is printed with the same symbol ora would use.
 */
import type { Ora } from 'ora';

export class Spinner {
  private ora: Ora | undefined;
  private text = '';
  private spinning = false;
  private readonly loading: Promise<void>;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.loading = import('ora').then((m) => {
      this.ora = m.default({ stream: this.stream, text: this.text });
      if (this.spinning) this.ora.start();
    });
  }

  /** Whether a terminal can show a spinner: a TTY with a width (ora redraws endlessly at 0) outside CI. */
  static wanted(stream: NodeJS.WriteStream = process.stderr): boolean {
    return stream.isTTY === true && (stream.columns ?? 0) > 0 && !process.env.CI;
  }

  /** Creates a spinner if the terminal can show one. */
  static ifWanted(stream: NodeJS.WriteStream = process.stderr): Spinner | undefined {
    return Spinner.wanted(stream) ? new Spinner(stream) : undefined;
  }

  get isSpinning(): boolean {
    return this.spinning;
  }

  /** Starts spinning (with new text if given). */
  start(text?: string): this {
    if (text !== undefined) this.setText(text);
    this.spinning = true;
    this.ora?.start();
    return this;
  }

  setText(text: string): void {
    this.text = text;
    if (this.ora) this.ora.text = text;
  }

  /** Prints a whole line without tearing the spinner: clear, print, draw again. */
  print(line: string): void {
    if (this.ora?.isSpinning) {
      this.ora.clear();
      this.stream.write(line + '\n');
      this.ora.render();
    } else this.stream.write(line + '\n');
  }

  stop(): void {
    this.spinning = false;
    this.ora?.stop();
  }

  /** Ends with ✔ and the text (default: the current text). */
  succeed(text?: string): void {
    this.finish('succeed', '✔', text);
  }

  /** Ends with ✖ and the text (default: the current text). */
  fail(text?: string): void {
    this.finish('fail', '✖', text);
  }

  /** Resolves when ora has loaded (tests). */
  ready(): Promise<void> {
    return this.loading;
  }

  private finish(how: 'succeed' | 'fail', symbol: string, text: string | undefined): void {
    const wasSpinning = this.spinning;
    this.spinning = false;
    if (this.ora) this.ora[how](text);
    else if (wasSpinning || text !== undefined) this.stream.write(`${symbol} ${text ?? this.text}\n`);
  }
}
