// Benchmark: lex + parse + check of a generated, realistic 20,000-line model.
// Run with `npm run bench:parse` (or `node out/bench/parse.js` after `npx tsc -p .`).
// It measures twice, each in a fresh node process: with node's default young generation, and with
// the young generation the language server runs with (`SERVER_NODE_FLAGS`, passed by the VS Code
// client). Prints figures per phase; the last line is exactly `parse: <N> lines/s` (lex+parse+check,
// as the language server runs). Target: at least 500,000 lines/s on one core (a 2,000-line file in
// under 5 ms).

import { spawnSync } from 'node:child_process';
import { checkFile } from '../server/src/core/semantic/checker';
import { parse } from '../server/src/core/syntax/parser';
import { SERVER_NODE_FLAGS } from '../server/src/lsp/nodeFlags';

const TARGET_LINES = 20_000;
const WARMUP_RUNS = 10;
const MEASURED_RUNS = 40;
const SMALL_MODEL_LINES = 2_000;
const SMALL_WARMUP_RUNS = 50;
const SMALL_MEASURED_RUNS = 200;

/** One subsystem of the model: an object, a procedure with branches, a thread and a device. */
function subsystem(i: number): string {
  const peer = i > 0 ? `obj_${i - 1}` : 'null';
  const peerType = i > 0 ? `obj_${i - 1}` : `obj_${i}`;
  return `// Subsystem ${i}: an object with two counts, released under its mutex.
object obj_${i} recyclable {
  ref users = 1 on zero { put obj_${i}.count }
  ref count = 1 on zero free obj_${i}
  lock mutex
  flag dying
  int pins = 0 in 0..3
  state phase { idle, busy, gone } = idle
  ptr peer -> ${peerType} = ${peer}
}

fn release_${i}(d) {
  lock d.mutex
  if d.pins == 0 && !d.dying {
    set d.dying
    d.phase = gone
  } else if d.phase == busy {
    dec d.pins
  } else {
    assert d.pins <= 3 "pins stay in range"
  }
  unlock d.mutex
  put d.users
}

thread cpu_${i} {
  let h = obj_${i}
  if tryget obj_${i}.users {
    use h
    put obj_${i}.users
  }
  choose { inc obj_${i}.pins; dec obj_${i}.pins } or { }
  release_${i}(obj_${i})
}

device dev_${i} stopped { dma obj_${i}; dma obj_${i}.peer }
thread ctl_${i} { start dev_${i}; quiesce dev_${i} }
`;
}

function proposal(i: number): string {
  return `proposal fix_${i} "take the mutex around the whole release" {
  fn release_${i}(d) {
    lock d.mutex
    set d.dying
    unlock d.mutex
    put d.users
  }
  new thread extra_${i} { wait until obj_${i}.phase == gone }
}
expect fix_${i}: safe

`;
}

export function generateModel(targetLines = TARGET_LINES): string {
  const parts: string[] = ['model bench "a generated model for the parse benchmark"\n\n'];
  let lines = 2;
  for (let i = 0; lines < targetLines; i++) {
    const text = subsystem(i) + (i % 10 === 9 ? proposal(i) : '\n');
    parts.push(text);
    lines += text.split('\n').length - 1;
  }
  parts.push('expect baseline: use-after-free\n');
  return parts.join('');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Runs {
  parseMs: number[];
  checkMs: number[];
  totalMs: number[];
  diagnostics: number;
  tokens: number;
}

/** Times lex+parse and check of `text`, `measured` times after `warmup` untimed runs. */
function timeRuns(text: string, warmup: number, measured: number): Runs {
  const runs: Runs = { parseMs: [], checkMs: [], totalMs: [], diagnostics: 0, tokens: 0 };
  for (let run = 0; run < warmup + measured; run++) {
    const t0 = performance.now();
    const result = parse(text);
    const t1 = performance.now();
    const semantic = checkFile(result.file);
    const t2 = performance.now();
    if (run >= warmup) {
      runs.parseMs.push(t1 - t0);
      runs.checkMs.push(t2 - t1);
      runs.totalMs.push(t2 - t0);
    }
    runs.diagnostics = result.diagnostics.length + semantic.diagnostics.length;
    runs.tokens = result.file.tokenCount;
  }
  return runs;
}

/** Measures in this process and prints the figures, the last line being `parse: <N> lines/s`. */
function measure(): void {
  const text = generateModel();
  const lineCount = text.split('\n').length;
  const { parseMs, checkMs, totalMs, diagnostics, tokens } = timeRuns(text, WARMUP_RUNS, MEASURED_RUNS);
  // The editor's case: a file of the size the target names, checked again after each edit.
  const small = generateModel(SMALL_MODEL_LINES);
  const smallRuns = timeRuns(small, SMALL_WARMUP_RUNS, SMALL_MEASURED_RUNS);
  const parseMedian = median(parseMs);
  const checkMedian = median(checkMs);
  const totalMedian = median(totalMs);
  console.log(`model: ${lineCount} lines, ${text.length} characters, ${tokens} tokens, ${diagnostics} diagnostics`);
  console.log(`runs: ${WARMUP_RUNS} warm-up, ${MEASURED_RUNS} measured (median)`);
  console.log(`lex+parse: ${parseMedian.toFixed(2)} ms (${Math.round(lineCount / (parseMedian / 1000))} lines/s)`);
  console.log(`check:     ${checkMedian.toFixed(2)} ms`);
  console.log(`total:     ${totalMedian.toFixed(2)} ms (best ${Math.min(...totalMs).toFixed(2)} ms); 2,000 lines ≈ ${((totalMedian * 2000) / lineCount).toFixed(2)} ms`);
  console.log(`${small.split('\n').length}-line model, measured on its own: ${median(smallRuns.totalMs).toFixed(2)} ms (median of ${SMALL_MEASURED_RUNS})`);
  console.log(`parse: ${Math.round(lineCount / (totalMedian / 1000))} lines/s`);
}

const MEASURE_ARGUMENT = '--measure';

function measureWith(flags: string[], label: string): void {
  console.log(`${label} (node ${flags.length > 0 ? flags.join(' ') : 'with no flags'}):`);
  const run = spawnSync(process.execPath, [...flags, __filename, MEASURE_ARGUMENT], { encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(`bench:parse: the measuring process failed (exit ${run.status}): ${run.stderr.trim()}`);
    process.exit(1);
  }
  process.stdout.write(run.stdout);
}

function main(): void {
  if (process.argv.includes(MEASURE_ARGUMENT)) {
    measure();
    return;
  }
  measureWith([], "node's default young generation");
  console.log('');
  measureWith(SERVER_NODE_FLAGS, "the language server's young generation");
}

if (require.main === module) main();
