// A one-line progress report on stderr while a long search runs in a terminal: states, depth and
// states per second. It prints nothing when stderr is not a TTY (CI logs, pipes, files).

import type { EngineProgress } from '../core/engine/types';

const MIN_INTERVAL_MS = 100;
/** Commands shorter than this never show a line. */
const SHOW_AFTER_MS = 300;

export class ProgressLine {
  private lastDraw = 0;
  private readonly started = Date.now();
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  static forStderr(): ProgressLine | undefined {
    return process.stderr.isTTY ? new ProgressLine(process.stderr) : undefined;
  }

  /** Shows one search's progress; `label` names its file. */
  update(label: string, progress: EngineProgress): void {
    const now = Date.now();
    if (now - this.started < SHOW_AFTER_MS || now - this.lastDraw < MIN_INTERVAL_MS) return;
    this.lastDraw = now;
    const rate = Math.round(progress.statesPerSecond).toLocaleString('en-US');
    const text = `${label} ${progress.proposal}: ${progress.states.toLocaleString('en-US')} states, depth ${progress.depth}, ${rate} states/s`;
    const width = this.stream.columns && this.stream.columns > 10 ? this.stream.columns - 1 : 100;
    this.stream.write(`\r\x1b[K${text.length > width ? text.slice(0, width) : text}`);
    this.shown = true;
  }

  /** Erases the line, so that the report starts on a clean line. */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}
