// Prints what the mutation test summarises: every finding on unmutated kernel code and every mutant
// the analysis missed, each with file:line and function, for judging them one by one. Findings judged
// true bugs in test/c/judged-findings.json are marked TRUE, the others FALSE.
//
//   node out/test/c/mutationReport.js [findings|missed|all] [path-filter]

import * as fs from 'fs';
import * as path from 'path';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { ensureKernelDirs, listCFiles } from './kernelSource';
import { kernelFunctions, mutantsOf } from './mutation';
import { describeJudged, FindingJudge, loadJudgedFindings } from './judgedFindings';

const DIRS = ['drivers/iommu', 'drivers/vfio', 'drivers/pci', 'drivers/of'];

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

async function main(): Promise<void> {
  const what = process.argv[2] ?? 'all';
  const filter = process.argv[3] ?? '';
  const tree = ensureKernelDirs(DIRS);
  if (!('root' in tree)) throw new Error(tree.missing);
  const parser = await loadCParser();
  const { table } = loadApiTable();
  let mutants = 0;
  let missed = 0;
  /** Mutants found only by a finding of low confidence (shown with --all-findings). */
  let withheld = 0;
  let findings = 0;
  let falsePositives = 0;
  let lines = 0;
  const judge = new FindingJudge(loadJudgedFindings());
  for (const dir of DIRS) {
    for (const file of listCFiles(tree.root, dir)) {
      if (!file.includes(filter)) continue;
      const text = fs.readFileSync(path.join(tree.root, file), 'utf8');
      const all = analyzeCText(text, table, { parser, lowConfidence: true }).findings;
      const unmutated = { findings: all.filter((f) => f.confidence === 'high') };
      findings += unmutated.findings.length;
      lines += text.split('\n').length;
      for (const f of all) if (f.confidence === 'low') judge.isJudgedTrue(file, f);
      for (const f of unmutated.findings) {
        const judgedTrue = judge.isJudgedTrue(file, f);
        if (!judgedTrue) falsePositives++;
        if (what !== 'missed') console.log(`FINDING ${judgedTrue ? 'TRUE' : 'FALSE'} ${file}:${lineOf(text, f.start)} ${f.function}: ${f.kind}: ${f.message}`);
      }
      if (what === 'findings') continue;
      const flagged = new Set(all.map((f) => f.function));
      let functionStart = 0;
      for (const fn of kernelFunctions(parser, text)) {
        functionStart = text.indexOf(fn.text, functionStart);
        if (flagged.has(fn.name)) continue;
        const sites = analyzeCText(fn.text, table, { parser }).releaseSites;
        for (const mutant of mutantsOf(parser, fn, table)) {
          if (sites.get(mutant.offset) === false) continue;
          mutants++;
          const result = analyzeCText(mutant.text, table, { parser, lowConfidence: true });
          const leaks = result.findings.filter((f) => f.kind === 'leak' || f.kind === 'lock-leak' || f.kind === 'inconsistent-paths');
          if (leaks.some((f) => f.confidence === 'high')) continue;
          if (leaks.length > 0) {
            withheld++;
            continue;
          }
          missed++;
          const line = lineOf(text, functionStart) + mutant.line - 1;
          console.log(`MISSED ${file}:${line} ${fn.name}: deleted ${mutant.release}()`);
        }
      }
    }
  }
  const recall = mutants === 0 ? 0 : ((mutants - missed) / mutants) * 100;
  const defaultRecall = mutants === 0 ? 0 : ((mutants - missed - withheld) / mutants) * 100;
  if (!filter) for (const entry of judge.staleEntries()) console.log(`STALE ${describeJudged(entry)}`);
  console.log(`SUMMARY ${findings} findings (${falsePositives} false positives) in ${lines} lines; ${mutants} mutants, ${missed} missed, recall ${recall.toFixed(1)}% with --all-findings, ${defaultRecall.toFixed(1)}% by default`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
