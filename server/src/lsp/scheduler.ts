// Coalesces bursts of edits: the first edit after a quiet period is handled on the next turn of
// the event loop (so that messages already queued are taken together), later edits at most once
// per interval. A change is thus answered at once when typing is slow, and at least every
// `intervalMs` when it is fast.

export class Coalescer {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastRun = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly action: () => void,
  ) {}

  schedule(): void {
    if (this.timer || this.immediate) return;
    const wait = this.lastRun + this.intervalMs - Date.now();
    if (wait <= 0) this.immediate = setImmediate(() => this.fire());
    else this.timer = setTimeout(() => this.fire(), wait);
  }

  /** Runs a pending action now (a request needs fresh results). */
  flush(): void {
    if (this.timer || this.immediate) this.fire();
  }

  get pending(): boolean {
    return this.timer !== undefined || this.immediate !== undefined;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private fire(): void {
    this.dispose();
    this.lastRun = Date.now();
    this.action();
  }
}
