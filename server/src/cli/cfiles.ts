// Kernel C files (.c, .h): the tree-sitter parser and the kernel API table (built in, plus --api
// files), then the path-sensitive analysis of every function, as diagnostics.

import fs from 'node:fs';
import nodePath from 'node:path';
import { findingsToDiagnostics, learnControlMacros, loadApiTable, loadCParser, quotedIncludes, type ApiTable, type CAnalysisResult, type ControlMacros, type CParser, type Summaries } from '../core/c/index';
import { analyzeCRun, includedSummaries, type CRunFile } from '../core/c/run';
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
  /** Control macros of the headers checked in the same run (`GOTO(label, rc)`, `RETURN(rc)`). */
  controlMacros?: ControlMacros;
}

/** The control macros the run's headers define: a tree checked as a whole lends them to each of its files. */
export function headerControlMacros(files: readonly { path: string; text: string }[]): ControlMacros {
  return learnControlMacros(files.filter((file) => file.path.toLowerCase().endsWith('.h')).map((file) => file.text));
}

/** A header over this size is not read for its macros (the walk's own limit for a file). */
const MAX_HEADER_BYTES = 8 * 1024 * 1024;

/**
 * The texts of the headers a file includes by a quoted name (`#include "include/debug.h"`), found
 * next to it: one level deep, regular files only, none over 8 MiB. A file checked on its own still
 * sees its project's `GOTO()` and `RETURN()`.
 */
export function quotedIncludeTexts(file: string, text: string): string[] {
  const texts: string[] = [];
  const dir = nodePath.dirname(file);
  for (const name of quotedIncludes(text)) {
    const header = nodePath.join(dir, name);
    try {
      const stat = fs.statSync(header);
      if (stat.isFile() && stat.size <= MAX_HEADER_BYTES) texts.push(fs.readFileSync(header, 'utf8'));
    } catch {
      // A header that is not there (generated, or found through -I) lends nothing.
    }
  }
  return texts;
}

/**
 * The files of one run as the core reads them: each with the control macros and the inline helpers'
 * summaries of the headers it includes by a quoted name, found next to it. `name` is how findings name
 * the file (its path unless given).
 */
export function cRunFiles(files: readonly { path: string; name?: string; read: () => string }[], frontEnd: CFrontEnd, runMacros?: ControlMacros): CRunFile[] {
  const headerCache = new Map<string, Summaries>();
  return files.map((file) => {
    const fileName = file.name ?? file.path;
    const included = quotedIncludeTexts(file.path, file.read());
    if (included.length === 0) return { fileName, read: file.read, controlMacros: runMacros };
    const controlMacros = learnControlMacros(included, runMacros);
    // The headers are read again when a second pass asks for their summaries: a run over a tree keeps
    // no file's copy of its headers from one pass to the next.
    const headerSummaries = () => includedSummaries(quotedIncludeTexts(file.path, file.read()), frontEnd.table, { parser: frontEnd.parser, controlMacros }, headerCache);
    return { fileName, read: file.read, controlMacros, headerSummaries };
  });
}

/** Checks the C files of one run; each sees the summaries the others' functions export (core/c/run.ts). */
export function checkCFiles(files: readonly { path: string; text: string }[], frontEnd: CFrontEnd, options: CCheckOptions = {}): FileReport[] {
  const reports: FileReport[] = new Array(files.length);
  const runFiles = cRunFiles(files.map((file) => ({ path: file.path, read: () => file.text })), frontEnd, options.controlMacros);
  analyzeCRun(runFiles, frontEnd.table, { parser: frontEnd.parser, lowConfidence: options.allFindings }, { result: (file, result, _again, index) => (reports[index] = cReport(file.fileName, file.read(), result, options)) });
  return reports;
}

function cReport(path: string, text: string, result: CAnalysisResult, options: CCheckOptions): FileReport {
  const report = newReport(path, text);
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
