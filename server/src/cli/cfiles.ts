// Kernel C files (.c, .h): the tree-sitter parser and the kernel API table (built in, plus --api
// files), then the path-sensitive analysis of every function, as diagnostics.

import fs from 'node:fs';
import { analyzeCText, findingsToDiagnostics, loadApiTable, loadCParser, type ApiTable, type CParser } from '../core/c/index';
import { CODES, makeDiagnostic, type Diagnostic } from '../core/diagnostics/codes';
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

export interface CCheckOptions {
  /** One parse-gap note per function rather than one line per file. */
  verbose?: boolean;
  /** Findings of low confidence too (analysis/confidence.ts), as infos. */
  allFindings?: boolean;
}

export function checkCFile(path: string, text: string, frontEnd: CFrontEnd, options: CCheckOptions = {}): FileReport {
  const report = newReport(path, text);
  const result = analyzeCText(text, frontEnd.table, { parser: frontEnd.parser, lowConfidence: options.allFindings, fileName: path });
  const diagnostics = [...findingsToDiagnostics(result.findings), ...result.notes];
  if (result.withheld > 0) report.withheldFindings = result.withheld;
  const verbose = options.verbose === true;
  report.diagnostics = sortDiagnostics(verbose ? diagnostics : oneParseGapLine(diagnostics));
  return report;
}

/** The LT4101 parse-gap notes of a file as one note at the first gap, naming how many functions have one. */
function oneParseGapLine(diagnostics: Diagnostic[]): Diagnostic[] {
  const gaps = diagnostics.filter((d) => d.code === CODES.cParseError.code);
  if (gaps.length <= 1) return diagnostics;
  const first = gaps.reduce((a, b) => (b.start < a.start ? b : a));
  const names = gaps.map((d) => /^Part of (\S+\(\))/.exec(d.message)?.[1]).filter((n): n is string => n !== undefined);
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? ', ...' : '');
  const summary = makeDiagnostic(
    CODES.cParseError,
    `Parts of ${gaps.length} functions (${shown}) could not be parsed as C; the analysis skipped them and continued around them (--verbose lists each).`,
    first.start,
    first.end,
  );
  return [...diagnostics.filter((d) => d.code !== CODES.cParseError.code), summary];
}
