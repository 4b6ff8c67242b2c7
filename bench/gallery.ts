// Benchmark: time to verdict for every model of the seed gallery, on one core.
// Run with `npm run bench:gallery` (or `node out/bench/gallery.js` after `npx tsc -p .`).
// Target: each baseline violation found in under a second. Prints one row per proposal (median
// of several runs, reductions on and with --exact) and, last, exactly
// `gallery: slowest baseline <T> ms (<model>), <N> proposals checked`, after one line
// `gallery: total CPU <S> s` (user plus system time of every timed check, for comparing commits).

import fs from 'node:fs';
import path from 'node:path';
import { checkProposal, proposalNames } from '../server/src/core/engine/index';
import { parse } from '../server/src/core/syntax/parser';

const RUNS = 7;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeProposal(text: string, proposal: string, exact: boolean): { ms: number; verdict: string; states: number } {
  const times: number[] = [];
  let verdict = '';
  let states = 0;
  for (let run = 0; run < RUNS; run++) {
    const started = process.hrtime.bigint();
    const { file } = parse(text);
    const result = checkProposal(file, proposal, { exact });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    verdict = result.verdict === 'violation' ? `${result.kind} in ${result.trace?.length ?? 0} steps` : result.verdict;
    states = result.states;
  }
  return { ms: median(times), verdict, states };
}

function main(): void {
  const directory = path.join(process.cwd(), 'examples');
  const models = fs.readdirSync(directory).filter((name) => name.endsWith('.lifetime')).sort();
  let slowest = { ms: 0, model: '' };
  let checked = 0;
  const cpuStarted = process.cpuUsage();
  console.log(`${'model'.padEnd(40)} ${'proposal'.padEnd(28)} ${'verdict'.padEnd(30)} ${'states'.padStart(7)} ${'ms'.padStart(8)} ${'exact ms'.padStart(9)}`);
  for (const name of models) {
    const text = fs.readFileSync(path.join(directory, name), 'utf8');
    for (const proposal of proposalNames(parse(text).file)) {
      const reduced = timeProposal(text, proposal, false);
      const exact = timeProposal(text, proposal, true);
      checked++;
      console.log(
        `${name.padEnd(40)} ${proposal.padEnd(28)} ${reduced.verdict.padEnd(30)} ${String(reduced.states).padStart(7)} ` +
          `${reduced.ms.toFixed(2).padStart(8)} ${exact.ms.toFixed(2).padStart(9)}`,
      );
      const worst = Math.max(reduced.ms, exact.ms);
      if (proposal === 'baseline' && worst > slowest.ms) slowest = { ms: worst, model: name };
    }
  }
  const cpu = process.cpuUsage(cpuStarted);
  console.log(`gallery: total CPU ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s`);
  console.log(`gallery: slowest baseline ${slowest.ms.toFixed(1)} ms (${slowest.model}), ${checked} proposals checked`);
}

main();
