// A small test reporter for the harness: runs named checks in order, prints TAP-like lines, saves a
// screenshot after each check, and counts passes and failures. A check is never retried.
import { firstLine } from './process.mjs';
import { screenshot } from './workbench.mjs';

export class Reporter {
  constructor(page, artifactsDir, log) {
    this.page = page;
    this.artifactsDir = artifactsDir;
    this.log = log;
    this.passed = 0;
    this.failed = 0;
    this.failures = [];
  }

  /** Runs `body`; a thrown error fails the check. Resolves to whether it passed. */
  async check(name, body) {
    const number = this.passed + this.failed + 1;
    const slug = `${String(number).padStart(2, '0')}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
    this.current = slug;
    const started = Date.now();
    try {
      await body();
      this.passed++;
      console.log(`ok ${number} - ${name} (${Date.now() - started} ms)`);
      await screenshot(this.page, this.artifactsDir, slug, this.log);
      return true;
    } catch (error) {
      this.failed++;
      this.failures.push(name);
      console.log(`not ok ${number} - ${name} (${Date.now() - started} ms)`);
      console.log(String(error instanceof Error ? error.message : error).split('\n').map((line) => `  # ${line}`).join('\n'));
      const file = await screenshot(this.page, this.artifactsDir, `${slug}-FAILED`, this.log);
      console.log(`  # screenshot: ${file}`);
      return false;
    }
  }

  /** A screenshot of a moment inside the running check (`NN-check-name-WHAT.png`), besides the one after it. */
  async snapshot(what) {
    await screenshot(this.page, this.artifactsDir, `${this.current ?? '00'}-${what}`, this.log);
  }

  /** Counts a failure that happened before the checks could run, e.g. in setup. */
  fail(name, error) {
    this.failed++;
    this.failures.push(name);
    console.log(`not ok ${this.passed + this.failed} - ${name}`);
    console.log(`  # ${firstLine(error)}`);
  }

  summary() {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}
