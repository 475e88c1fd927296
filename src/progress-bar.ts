/**
 * A one-line progress bar for long CLI commands, drawn on a terminal only: count/total, percentage, rate. When the
 * stream is not a terminal (a log file, CI, a pipe) it draws nothing, and only the closing summary is written.
 */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_MS = 100;

export class ProgressBar {
  private readonly startedAt: number;
  private lastDrawnAt = 0;
  private drawn = false;
  private done = 0;
  private total = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  get interactive(): boolean {
    return this.stream.isTTY === true;
  }

  update(done: number, total: number): void {
    this.done = done;
    this.total = total;
    if (!this.interactive) return;
    const now = this.now();
    if (now - this.lastDrawnAt < REDRAW_MS && done < total) return;
    this.lastDrawnAt = now;
    this.stream.write(`\r\x1b[2K${this.line(now)}`);
    this.drawn = true;
  }

  /** Ends the bar's line (on a terminal) and writes the summary lines. */
  finish(lines: string[]): void {
    if (this.interactive) {
      this.stream.write(`\r\x1b[2K${this.line(this.now())}\n`);
    }
    for (const line of lines) this.stream.write(`${line}\n`);
  }

  /** Clears a half-drawn bar before an error message. */
  clear(): void {
    if (this.interactive && this.drawn) this.stream.write('\r\x1b[2K');
  }

  line(now: number): string {
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const rate = `${formatCount(Math.round(this.done / seconds))}/s`;
    const counts = `${formatCount(this.done)}/${formatCount(this.total)}`;
    const text = ` ${counts} ${percent} ${rate}`;
    const columns = this.stream.columns ?? 80;
    const width = Math.max(10, Math.min(40, columns - this.label.length - text.length - 4));
    const filled = Math.round(fraction * width);
    return `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]${text}`;
  }
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
