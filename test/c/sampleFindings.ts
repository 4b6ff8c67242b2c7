// Draws the judged sample of docs/c-precision.md: runs the analysis on kernel directories, prints the
// number of findings per kind, then a uniform random sample of them drawn with a stated seed.
//
//   node out/test/c/sampleFindings.js SEED COUNT DIR...      (e.g. 12 60 drivers/i2c drivers/spi)
//   node out/test/c/sampleFindings.js all 0 DIR...           (every finding, no sample)
//   node out/test/c/sampleFindings.js --root=TREE SEED COUNT DIR...
//                                                            (directories of another tree: an out-of-tree
//                                                            kernel module checked out at TREE)

import * as fs from 'fs';
import * as path from 'path';
import { learnControlMacros, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { analyzeCRun } from '../../server/src/core/c/run';
import { ensureKernelDirs, listCFiles, listFiles } from './kernelSource';
import { cRunFiles } from '../../server/src/cli/cfiles';

/** Mulberry32: a small seeded generator, so that the sample can be drawn again from its seed. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rootOption = args[0]?.startsWith('--root=') ? args.shift()?.slice('--root='.length) : undefined;
  const [seedText, countText, ...dirs] = args;
  if (!seedText || !countText || dirs.length === 0) throw new Error('usage: sampleFindings [--root=TREE] SEED|all COUNT DIR...');
  const tree = rootOption !== undefined ? { root: rootOption } : ensureKernelDirs(dirs);
  if (!('root' in tree)) throw new Error(tree.missing);
  const parser = await loadCParser();
  const { table } = loadApiTable();
  // As the CLI does for a tree checked as a whole: the control macros its headers define.
  const controlMacros = learnControlMacros(dirs.flatMap((dir) => listFiles(tree.root, dir, '.h')).map((file) => fs.readFileSync(path.join(tree.root, file), 'utf8')));
  const all: string[] = [];
  const byKind = new Map<string, number>();
  let lines = 0;
  // The directories are one run, read as `lifetime check DIR...` reads them (cli/cfiles.ts): files lend
  // each other their summaries, and each sees the headers it includes by a quoted name.
  const names = dirs.flatMap((dir) => listCFiles(tree.root, dir));
  const files = cRunFiles(
    names.map((name) => ({ path: path.join(tree.root, name), name, read: () => fs.readFileSync(path.join(tree.root, name), 'utf8') })),
    { table, parser },
    controlMacros,
  );
  // Results come in two passes; the findings are listed in the order of the files, so that a seed draws the same sample.
  const byFile: string[][] = names.map(() => []);
  analyzeCRun(files, table, { parser }, {
    result: (file, result, _again, index) => {
      const text = file.read();
      lines += text.split('\n').length;
      for (const f of result.findings) {
        byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + 1);
        byFile[index].push(`${file.fileName}:${lineOf(text, f.start)} ${f.function}: ${f.kind}: ${f.message}`);
      }
    },
  });
  all.push(...byFile.flat());
  console.log(`${all.length} findings in ${lines} lines: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  if (seedText === 'all') {
    for (const f of all) console.log(f);
    return;
  }
  const random = seededRandom(Number(seedText));
  const pool = all.slice();
  const count = Math.min(Number(countText), pool.length);
  // A partial Fisher-Yates shuffle: every subset of `count` findings is equally likely.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
    console.log(`${i + 1}. ${pool[i]}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
