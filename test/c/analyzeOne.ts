// Analyses one function of a kernel file on its own and prints its findings, for debugging:
//
//   node out/test/c/analyzeOne.js drivers/pci/probe.c pci_alloc_child_bus

import * as fs from 'fs';
import * as path from 'path';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { ensureKernelDirs } from './kernelSource';
import { kernelFunctions } from './mutation';

async function main(): Promise<void> {
  const [file, name] = process.argv.slice(2);
  const tree = ensureKernelDirs([file.split('/').slice(0, 2).join('/')]);
  if (!('root' in tree)) throw new Error(tree.missing);
  const parser = await loadCParser();
  const { table } = loadApiTable();
  const text = fs.readFileSync(path.join(tree.root, file), 'utf8');
  for (const fn of kernelFunctions(parser, text)) {
    if (fn.name !== name) continue;
    const result = analyzeCText(fn.text, table, { parser });
    for (const f of result.findings) console.log(`${f.kind}: ${f.message}`);
    console.log(`${result.findings.length} findings; release sites ${JSON.stringify([...result.releaseSites])}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
