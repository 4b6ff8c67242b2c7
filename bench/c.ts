// The C benchmark: the analysis on drivers/iommu, drivers/vfio and drivers/pci of linux-source-6.1,
// and, on the same files, Coccinelle's own kernel scripts (Debian's spatch), with the findings the
// two share. Run with `npm run bench:c`. The last line is the summary the CI reads.
//
// `npm run bench:c -- --whole-kernel` also extracts the whole tree into the temporary directory and
// analyses every .c file of it, printing the files, lines, findings, functions that threw (none is
// expected) and lines per CPU second.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { loadApiTable, loadCParser, type CAnalysisResult, type CParser } from '../server/src/core/c/index';
import { analyzeCRun } from '../server/src/core/c/run';
import type { ApiTable } from '../server/src/core/c/apiTable';
import { LineIndex } from '../server/src/core/util/lineIndex';
import { ensureKernelDirs, listCFiles } from '../test/c/kernelSource';
import { formatRoundPrecision, loadJudgedRounds, roundPrecision } from '../test/c/heldoutJudgements';

const DIRS = ['drivers/iommu', 'drivers/vfio', 'drivers/pci'];
const COCCI_SCRIPTS = [
  'free/kfree.cocci',
  'free/put_device.cocci',
  'free/iounmap.cocci',
  'free/clk_put.cocci',
  'iterators/for_each_child.cocci',
  'iterators/device_node_continue.cocci',
  'iterators/use_after_iter.cocci',
  'locks/mini_lock.cocci',
  'locks/double_lock.cocci',
  'locks/flags.cocci',
];

interface Located {
  file: string;
  line: number;
  text: string;
}

interface DirRun {
  dir: string;
  files: number;
  lines: number;
  functions: number;
  ms: number;
  cpuMs: number;
  findings: Located[];
}

function runOurs(root: string, dir: string, parser: CParser, table: ApiTable): DirRun {
  const files = listCFiles(root, dir);
  const texts = files.map((file) => fs.readFileSync(path.join(root, file), 'utf8'));
  let lines = 0;
  for (const text of texts) lines += text.split('\n').length;
  const findings: Located[] = [];
  let functions = 0;
  // Wall time of the one analysing thread; CPU time (which also counts the garbage collector's helper
  // threads) is printed beside it because the machine may be shared.
  const start = process.cpuUsage();
  const wallStart = process.hrtime.bigint();
  // The directory is one run, as `lifetime check DIR` makes it: files lend each other their summaries.
  const results: CAnalysisResult[] = [];
  analyzeCRun(files.map((file, i) => ({ fileName: file, read: () => texts[i] })), table, { parser }, { result: (_file, result, _again, index) => (results[index] = result) });
  const used = process.cpuUsage(start);
  const cpuMs = (used.user + used.system) / 1000;
  const ms = Number(process.hrtime.bigint() - wallStart) / 1e6;
  results.forEach((result, i) => {
    functions += result.functions;
    const index = new LineIndex(texts[i]);
    for (const f of result.findings) {
      const line = index.positionAt(f.start).line + 1;
      findings.push({ file: files[i], line, text: `${files[i]}:${line}: ${f.kind} (${f.code}) in ${f.function}(): ${f.message}` });
    }
  });
  return { dir, files: files.length, lines, functions, ms, cpuMs, findings };
}

function runSpatch(root: string): { findings: Located[]; ms: number; note?: string } {
  const probe = spawnSync('spatch', ['--version'], { encoding: 'utf8' });
  if (probe.status !== 0) return { findings: [], ms: 0, note: 'spatch is not installed (apt-get install coccinelle)' };
  const findings: Located[] = [];
  const start = Date.now();
  for (const script of COCCI_SCRIPTS) {
    const scriptPath = path.join(root, 'scripts/coccinelle', script);
    if (!fs.existsSync(scriptPath)) continue;
    for (const dir of DIRS) {
      const result = spawnSync(
        'spatch',
        ['-D', 'report', '--no-includes', '--very-quiet', '--timeout', '20', '--sp-file', scriptPath, '--dir', dir],
        { cwd: root, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 },
      );
      for (const line of (result.stdout ?? '').split('\n')) {
        const match = /^(?:\.\/)?(\S+?\.[ch]):(\d+):/.exec(line);
        if (match) findings.push({ file: match[1], line: Number(match[2]), text: `${match[1]}:${match[2]}: [${script}] ${line.slice(match[0].length).trim()}` });
      }
    }
  }
  return { findings, ms: Date.now() - start };
}

function shared(ours: Located[], theirs: Located[]): number {
  let count = 0;
  for (const finding of ours) if (theirs.some((other) => other.file === finding.file && Math.abs(other.line - finding.line) <= 3)) count++;
  return count;
}

const TOP_DIRS = ['arch', 'block', 'certs', 'crypto', 'drivers', 'fs', 'init', 'io_uring', 'ipc', 'kernel', 'lib', 'mm', 'net', 'samples', 'scripts', 'security', 'sound', 'tools', 'usr', 'virt'];

/** Every .c file of the kernel as one run (`lifetime check .` at the top of the tree); a throw is counted, never fatal. */
function runWholeKernel(parser: CParser, table: ApiTable): void {
  const tree = ensureKernelDirs(TOP_DIRS);
  if (!('root' in tree)) {
    console.log(`whole kernel: ${tree.missing}`);
    return;
  }
  let lines = 0;
  let findings = 0;
  let again = 0;
  // Reading the files is not the analysis: the CPU time of each read is left out, as it was when
  // every file was read before its analysis was timed.
  let readCpuMs = 0;
  const timedRead = (file: string): string => {
    const before = process.cpuUsage();
    const text = fs.readFileSync(file, 'utf8');
    const used = process.cpuUsage(before);
    readCpuMs += (used.user + used.system) / 1000;
    return text;
  };
  const failures: string[] = [];
  const files = TOP_DIRS.flatMap((dir) => listCFiles(tree.root, dir)).flatMap((file) => {
    try {
      const text = fs.readFileSync(path.join(tree.root, file), 'utf8');
      lines += text.split('\n').length;
      return [{ fileName: file, read: () => timedRead(path.join(tree.root, file)) }];
    } catch {
      return [];
    }
  });
  const start = process.cpuUsage();
  analyzeCRun(files, table, { parser }, {
    result: (_file, result, reanalysed) => {
      findings += result.findings.length;
      if (reanalysed) again++;
    },
    threw: (file, error) => failures.push(`${file.fileName}: ${error instanceof Error ? error.message : String(error)}`),
  });
  const used = process.cpuUsage(start);
  const cpuMs = (used.user + used.system) / 1000 - readCpuMs;
  for (const failure of failures.slice(0, 20)) console.log(`  threw: ${failure}`);
  console.log(`whole kernel: ${files.length} files, ${lines} lines, ${findings} findings, ${failures.length} files threw, ${again} files analysed again with the run's summaries, CPU ${(cpuMs / 1000).toFixed(1)} s, ${Math.round(lines / (cpuMs / 1000))} lines/s`);
}

async function main(): Promise<void> {
  const tree = ensureKernelDirs([...DIRS, 'scripts/coccinelle']);
  if (!('root' in tree)) {
    console.error(`bench:c needs the kernel source: ${tree.missing}`);
    process.exit(1);
  }
  const root = tree.root;
  const parser = await loadCParser();
  const { table, problems } = loadApiTable();
  if (problems.length > 0) console.error(problems.map((p) => p.diagnostic.message).join('\n'));

  // The first pass includes the JIT warming up; the second is the steady state of a running server.
  const cold = DIRS.map((dir) => runOurs(root, dir, parser, table));
  const warm = DIRS.map((dir) => runOurs(root, dir, parser, table));
  const lines = warm.reduce((n, r) => n + r.lines, 0);
  const coldMs = cold.reduce((n, r) => n + r.ms, 0);
  const warmMs = warm.reduce((n, r) => n + r.ms, 0);
  const warmCpuMs = warm.reduce((n, r) => n + r.cpuMs, 0);
  const ours = warm.flatMap((r) => r.findings);
  console.log('Lifetime Review findings:');
  for (const f of ours) console.log(`  ${f.text}`);
  for (let i = 0; i < DIRS.length; i++) {
    const r = warm[i];
    console.log(
      `${r.dir}: ${r.files} files, ${r.lines} lines, ${r.functions} functions, ${r.findings.length} findings, ${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms; first pass ${cold[i].ms.toFixed(0)} ms), ${Math.round(r.lines / (r.ms / 1000))} lines/s`,
    );
  }
  console.log(`lifetime: ${lines} lines in ${warmMs.toFixed(0)} ms (first pass, with the JIT warming up, ${coldMs.toFixed(0)} ms)`);

  const spatch = runSpatch(root);
  if (spatch.note) console.log(`spatch: ${spatch.note}`);
  else {
    console.log(`Coccinelle findings (${COCCI_SCRIPTS.length} scripts from scripts/coccinelle):`);
    for (const f of spatch.findings) console.log(`  ${f.text}`);
    console.log(`spatch: ${lines} lines in ${spatch.ms} ms, ${Math.round(lines / (spatch.ms / 1000))} lines/s, ${spatch.findings.length} findings`);
  }
  if (process.argv.includes('--whole-kernel')) runWholeKernel(parser, table);
  // Precision can only be judged by reading code: these are the recorded judgements of samples drawn
  // on directories not tuned on (docs/c-precision.md), the last one being the current figure.
  for (const round of loadJudgedRounds()) console.log(formatRoundPrecision(roundPrecision(round)));
  const both = shared(ours, spatch.findings);
  const iommu = warm[0];
  // The summary uses CPU time: on a shared machine wall time measures the other processes too.
  console.log(`summary timing: CPU time of the second pass (wall: ${Math.round(lines / (warmMs / 1000))} lines/s, drivers/iommu ${iommu.ms.toFixed(0)} ms)`);
  console.log(
    `c: ${Math.round(lines / (warmCpuMs / 1000))} lines/s, drivers/iommu ${iommu.cpuMs.toFixed(0)} ms, findings ${ours.length}, spatch findings ${spatch.findings.length}, shared ${both}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
