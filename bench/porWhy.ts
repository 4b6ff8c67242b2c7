// Why the partial-order reduction expands states in full, one command: `npm run bench:por-why`.
// For each gallery model's safe proposal in K independent copies (BENCH_COPIES, default 3) and the
// kref family (3 workers), it runs the reduced search with diagnostics and prints how many states an
// ample set expanded, how many were expanded in full and why (no enabled thread, every conflict
// closure is the whole state, the smallest set leaves nothing out, the cycle proviso, a failing
// check, no thread successor), and the variables whose conflicts pulled actors into sets.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../server/src/core/syntax/parser';
import { lowerModel } from '../server/src/core/engine/lower/index';
import { compileSystem } from '../server/src/core/engine/compile';
import { search } from '../server/src/core/engine/explore';
import { newAmpleStats } from '../server/src/core/engine/ample';
import { independentCopies } from './copies';
import { familyModel } from './family';
import { GALLERY } from './engine';

function explain(label: string, text: string, proposal: string, copies: number): void {
  const lowered = lowerModel(parse(text).file, proposal);
  if (!lowered.complete) throw new Error(`${label} did not lower`);
  const compiled = compileSystem(copies > 1 ? independentCopies(lowered.system, copies) : lowered.system);
  const stats = newAmpleStats();
  const outcome = search(compiled, { reduce: true, ampleStats: stats, maxStates: 5_000_000, maxMemoryBytes: 8 * 1024 ** 3, timeoutMs: 10 * 60_000 });
  const exact = search(compiled, { reduce: false, maxStates: 5_000_000, maxMemoryBytes: 8 * 1024 ** 3, timeoutMs: 10 * 60_000 });
  const full = stats.noEnabledThread + stats.closureIsAll + stats.nothingLeftOut + stats.proviso + stats.failingStep + stats.noThreadSuccessor;
  console.log(`\n${label} x${copies}: ${outcome.states} states reduced (${outcome.verdict}${outcome.reductionAbandoned ? ', reduction abandoned' : ''}), ${exact.states} exact`);
  console.log(`  ample sets ${stats.reduced}, full expansions ${full}: no enabled thread ${stats.noEnabledThread}, closure is everything ${stats.closureIsAll}, nothing left out ${stats.nothingLeftOut}, proviso ${stats.proviso}, failing check ${stats.failingStep}, no thread successor ${stats.noThreadSuccessor}`);
  const pulled = [...stats.pulledBy].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`  conflicts that pulled actors in: ${pulled.map(([name, n]) => `${name} ${n}`).join(', ') || 'none'}`);
}

function main(): void {
  const copies = Number(process.env.BENCH_COPIES ?? 3);
  for (const [model, proposal] of GALLERY) {
    const file = path.join(__dirname, '..', '..', 'examples', `${model}.lifetime`);
    explain(`${model} / ${proposal}`, fs.readFileSync(file, 'utf8'), proposal, copies);
  }
  explain('kref family 3x1', familyModel({ workers: 3, iterations: 1 }), 'baseline', 1);
}

try {
  main();
} catch (error) {
  console.error(`bench:por-why failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
