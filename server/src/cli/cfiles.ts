// Kernel C files (.c, .h): the tree-sitter parser and the kernel API table (built in, plus --api
// files), then the path-sensitive analysis of every function, as diagnostics.

import fs from 'node:fs';
import { analyzeCFile, loadApiTable, loadCParser, type ApiTable, type CParser } from '../core/c/index';
import type { InputProblem } from './inputs';
import { newReport, sortDiagnostics, type FileReport } from './report';

export interface CFrontEnd {
  table: ApiTable;
  parser: CParser;
}

/** Loads the parser and the API tables; a missing or malformed table is an input problem. */
export async function loadCFrontEnd(apiFiles: readonly string[]): Promise<{ frontEnd?: CFrontEnd; problems: InputProblem[] }> {
  const problems: InputProblem[] = [];
  for (const file of apiFiles) {
    try {
      if (!fs.statSync(file).isFile()) problems.push({ path: file, reason: 'the API table is not a regular file' });
    } catch {
      problems.push({ path: file, reason: 'no such API table file' });
    }
  }
  if (problems.length > 0) return { problems };
  const loaded = loadApiTable([...apiFiles]);
  for (const problem of loaded.problems) {
    problems.push({ path: problem.line > 0 ? `${problem.path}:${problem.line}` : problem.path, reason: problem.message });
  }
  if (problems.length > 0) return { problems };
  try {
    const parser = await loadCParser();
    return { frontEnd: { table: loaded.table, parser }, problems };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { problems: [{ path: 'tree-sitter-c.wasm', reason: `the C parser could not be loaded: ${reason}` }] };
  }
}

export function checkCFile(path: string, text: string, frontEnd: CFrontEnd): FileReport {
  const report = newReport(path, text);
  report.diagnostics = sortDiagnostics(analyzeCFile(text, frontEnd.table, { parser: frontEnd.parser }));
  return report;
}
