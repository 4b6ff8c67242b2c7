// The kernel C front end: parse, find the functions worth analysing, analyse each, report.

import { CODES, makeDiagnostic, type Diagnostic } from '../diagnostics/codes';
import { LineIndex } from '../util/lineIndex';
import { FunctionAnalyzer } from './analyze';
import { collectStandingReleases } from './analysis/standingEnables';
import { collectFileFacts, noteArrayReleases, noteLocksDroppedWithoutTaking, type FileFacts } from './analysis/fileFacts';
import { summarizeFunctions, type Summaries } from './analysis/summaries';
import { learnControlMacros, type ControlMacros } from './controlMacros';
import { CallerFacts } from './analysis/callers';
import { addReleaseAnnotations } from './analysis/locks';
import type { ApiTable } from './apiTable';
import { buildFunction, definedFunctionName, type CFunction } from './cir';
import { findingConfidence } from './analysis/confidence';
import { codeOfKind, fillLines, findingsToDiagnostics, leakFix, type CFinding } from './findings';
import { loadedCParser, type CParser, type SyntaxNode } from './parser';
import { findFunctionChunks, preprocessC, type Annotation } from './preprocess';

export type { CFinding, CFix, FindingKind } from './findings';
export { findingsToDiagnostics } from './findings';
export { loadCParser, loadedCParser, type CParser } from './parser';
export { learnControlMacros, quotedIncludes, type ControlMacro, type ControlMacros } from './controlMacros';
export type { Summaries } from './analysis/summaries';
export { loadApiTable, apiTableFromTexts, describeCCall, addApiText, emptyApiTable, type ApiTable, type ApiTableResult, type ApiEntry, type ApiFileProblem } from './apiTable';

export interface CAnalysisOptions {
  /** The parser; defaults to the one `loadCParser()` loaded. */
  parser?: CParser;
  /** Node visits per function before the analysis gives up on its remaining paths (default 4000). */
  maxVisitsPerFunction?: number;
  /** Analyse every function, not only those that call something the table knows. */
  allFunctions?: boolean;
  /** Report findings of low confidence too (analysis/confidence.ts); by default they are only counted. */
  lowConfidence?: boolean;
  /** The file's path or URI: a self-test's name (`test_bpf.c`, `locktorture.c`) lowers the confidence of its findings. */
  fileName?: string;
  /**
   * Macros of the headers of the tree being checked that jump, return or stop (`learnControlMacros()`
   * over its `.h` files): Lustre's `GOTO(label, rc)` and `RETURN(rc)`. The file's own definitions are read anyway.
   */
  controlMacros?: ControlMacros;
  /**
   * What functions defined elsewhere release, keep or drop, first match first: those of the headers the
   * file includes by a quoted name, then those of the other files of the run (`runSummaries()` over their
   * `exported`). A helper of another file that puts or unlocks what it is handed does so at its calls here.
   */
  otherSummaries?: readonly Summaries[];
  /** Analyse only the functions of these names; the others are still read for their summaries. */
  onlyFunctions?: ReadonlySet<string>;
}

export interface CAnalysisResult {
  findings: CFinding[];
  /** LT4101 notes: functions with parts the grammar could not parse (at most one per function). */
  notes: Diagnostic[];
  /** Functions found, and functions analysed (those calling a table API). */
  functions: number;
  analysed: number;
  /** Functions whose path budget ran out. */
  incomplete: number;
  /** Release calls (by offset) and whether some path reached them holding what they release. */
  releaseSites: Map<number, boolean>;
  /** Findings of low confidence left out because `lowConfidence` was not set. */
  withheld: number;
  /**
   * The summaries of the functions other files may call: those not `static`, and every function of a
   * header (its inline helpers). Only functions with an effect are listed.
   */
  exported: Summaries;
  /** The functions with a finding, shown or withheld. */
  functionsWithFindings: Set<string>;
  /**
   * Functions neither defined in the file nor in the table that the functions with shown findings call,
   * directly or through functions of the file: where another file's summary could change what is shown.
   */
  outsideCallsOfFindings: Set<string>;
}

const FRAGMENT_PREFIX = 'void __lifetime_fragment(void)\n{\n';
const CALL_NAME = /\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g;
/** Below this size the whole text is parsed; above it only functions that call a known API are. */
const WHOLE_PARSE_LIMIT = 4 * 1024;
/** A function header with its opening brace on the same line, at the top level. */
const SAME_LINE_BRACE = /^[A-Za-z_][^\n;=]*\)[ \t]*\{[ \t]*$/m;

function requireParser(options: CAnalysisOptions | undefined): CParser {
  const parser = options?.parser ?? loadedCParser();
  if (!parser) throw new Error('the C parser is not loaded: await loadCParser() before analysing C');
  return parser;
}

function mentionsTableApi(text: string, start: number, end: number, table: ApiTable): boolean {
  CALL_NAME.lastIndex = start;
  for (let match = CALL_NAME.exec(text); match && match.index < end; match = CALL_NAME.exec(text)) {
    if (table.byName.has(match[1])) return true;
  }
  return false;
}

function collectFunctions(node: SyntaxNode, out: SyntaxNode[], depth = 0): void {
  if (depth > 4) return;
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (child.type === 'function_definition') out.push(child);
    else if (child.type === 'ERROR' || child.type.startsWith('preproc_') || child.type === 'linkage_specification' || child.type === 'declaration_list') {
      collectFunctions(child, out, depth + 1);
    }
  }
}

function rangesFor(text: string, chunks: { start: number; end: number }[]) {
  const ranges = [];
  let row = 0;
  let lineStart = 0;
  let scan = 0;
  const advance = (offset: number) => {
    for (let i = text.indexOf('\n', scan); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    scan = Math.max(scan, lineStart);
    return { row, column: offset - lineStart };
  };
  for (const chunk of chunks) {
    const startPosition = advance(chunk.start);
    const endPosition = advance(chunk.end);
    ranges.push({ startIndex: chunk.start, endIndex: chunk.end, startPosition, endPosition });
  }
  return ranges;
}

/** Bodies of helpers that call nothing of the table, up to this size, are read for their summaries only. */
const SUMMARY_HELPER_MAX_CHARS = 600;

interface ParsedFunctions {
  functions: SyntaxNode[];
  /** Text the tree was parsed from, and how far its offsets are from the user's text. */
  parsedText: string;
  delta: number;
  total: number;
  release: () => void;
}

function parseFunctions(text: string, table: ApiTable, parser: CParser, all: boolean): ParsedFunctions {
  // Only files in kernel style (function braces alone at column 0) are split into functions.
  const kernelStyle = text.length > WHOLE_PARSE_LIMIT && !SAME_LINE_BRACE.test(text);
  let chunks = kernelStyle ? findFunctionChunks(text) : [];
  const total = chunks.length;
  if (chunks.length > 0) {
    if (!all) chunks = chunks.filter((c) => c.end - c.bodyStart <= SUMMARY_HELPER_MAX_CHARS || mentionsTableApi(text, c.bodyStart, c.end, table));
    if (chunks.length === 0) return { functions: [], parsedText: text, delta: 0, total, release: () => undefined };
  }
  const tree = chunks.length > 0 ? parser.parse(text, rangesFor(text, chunks)) : parser.parse(text);
  const functions: SyntaxNode[] = [];
  collectFunctions(tree.rootNode, functions);
  if (functions.length > 0 || chunks.length > 0) {
    return { functions, parsedText: text, delta: 0, total: chunks.length > 0 ? total : functions.length, release: () => tree.delete() };
  }
  tree.delete();
  // A fragment: statements with no function around them.
  const wrapped = `${FRAGMENT_PREFIX}${text}\n}\n`;
  const fragmentTree = parser.parse(wrapped);
  const fragmentFunctions: SyntaxNode[] = [];
  collectFunctions(fragmentTree.rootNode, fragmentFunctions);
  return { functions: fragmentFunctions, parsedText: wrapped, delta: FRAGMENT_PREFIX.length, total: fragmentFunctions.length, release: () => fragmentTree.delete() };
}

/** Analyses C text: every finding, plus parse notes and counts. Never throws on bad C. */
export function analyzeCText(text: string, table: ApiTable, options?: CAnalysisOptions): CAnalysisResult {
  const parser = requireParser(options);
  const pre = preprocessC(text);
  const parsed = parseFunctions(pre.text, table, parser, options?.allFunctions === true);
  const lines = new LineIndex(text);
  const findings: CFinding[] = [];
  const notes: Diagnostic[] = [];
  let analysed = 0;
  let incomplete = 0;
  const releaseSites = new Map<number, boolean>();
  const exported: Summaries = new Map();
  const calleesOf = new Map<string, string[]>();
  let callsOutside = new Set<string>();
  try {
    const facts = collectFileFacts(pre.text, options?.fileName);
    const freeAnnotations = pre.annotations.filter((a) => a.name === '__free').map((a) => a.start + parsed.delta);
    // The file's own definitions, over those of the headers of the tree being checked.
    const controlMacros = learnControlMacros([text], options?.controlMacros);
    const built: CFunction[] = [];
    // Short helpers that call nothing of the table (`desc_set_label(d, l) { d->label = l; }`) are not
    // analysed, but their summaries tell their callers what they keep or release through other helpers.
    const helpers: CFunction[] = [];
    const header = /\.h$/i.test(options?.fileName ?? '');
    const exportable = new Set<string>();
    for (const node of parsed.functions) {
      const body = node.childForFieldName('body');
      if (!body) continue;
      const defined = definedFunctionName(node, parsed.parsedText);
      if (defined !== undefined) facts.definedFunctions.add(defined);
      const helperOnly = !options?.allFunctions && !mentionsTableApi(parsed.parsedText, body.startIndex, body.endIndex, table);
      if (helperOnly && body.endIndex - body.startIndex > SUMMARY_HELPER_MAX_CHARS) continue;
      const fn = buildFunction(node, {
        freeAnnotations,
        text: parsed.parsedText,
        delta: parsed.delta,
        isLoopMacro: (name) => table.byName.get(name)?.effect === 'iterator',
        isBlockMacro: (name) => name.startsWith('scoped_') || table.byName.get(name)?.effect === 'scoped',
        controlMacros,
        constants: pre.constants,
      });
      if (fn) (helperOnly ? helpers : built).push(fn);
      // `static` before the function's name: seen by its own file only.
      if (fn && (header || !/\bstatic\b/.test(parsed.parsedText.slice(node.startIndex, fn.nameSpan.s + parsed.delta)))) exportable.add(fn.name);
    }
    for (const fn of [...built, ...helpers]) calleesOf.set(fn.name, [...(calleesOf.get(fn.name) ?? []), ...fn.calls.map((call) => call.callee).filter((callee) => callee !== '' && !table.byName.has(callee))]);
    callsOutside = new Set([...calleesOf.values()].flat().filter((callee) => !facts.definedFunctions.has(callee)));
    // Callees first: what a same-file helper releases is known at each of its calls.
    const summaries = summarizeFunctions([...built, ...helpers], table, summariesCalled(callsOutside, options?.otherSummaries ?? []));
    addReleaseAnnotations(summaries, built, pre.annotations, table);
    for (const name of exportable) {
      const summary = summaries.get(name);
      if (summary) exported.set(name, summary);
    }
    noteLocksDroppedWithoutTaking(facts, built, table);
    noteArrayReleases(facts, built, table, summaries, pre.text);
    facts.callerReleases = new CallerFacts([...built, ...helpers], table, summaries);
    facts.power.standingReleases = collectStandingReleases([...built, ...helpers], table);
    for (const fn of built) {
      if (options?.onlyFunctions && !options.onlyFunctions.has(fn.name)) continue;
      analysed++;
      const result = analyzeFunction(fn, text, table, pre.annotations, options?.maxVisitsPerFunction ?? 1000, lines, facts, summaries);
      findings.push(...result.findings);
      for (const [site, effective] of result.releaseSites) releaseSites.set(site, effective);
      if (result.incomplete) incomplete++;
      if (fn.errorCount > 0) {
        const at = fn.firstError && fn.firstError.s >= 0 && fn.firstError.e <= text.length ? fn.firstError : fn.nameSpan;
        notes.push(
          makeDiagnostic(CODES.cParseError, `Part of ${fn.name}() could not be parsed as C; the analysis skipped it and continued around it.`, Math.max(0, at.s), Math.min(text.length, Math.max(at.s, at.e))),
        );
      }
    }
  } finally {
    parsed.release();
  }
  findings.sort((a, b) => a.start - b.start || a.kind.localeCompare(b.kind));
  const shown = options?.lowConfidence ? findings : findings.filter((f) => f.confidence === 'high');
  const functionsWithFindings = new Set(findings.map((f) => f.function));
  const outsideCallsOfFindings = new Set([...reachableCallees(new Set(shown.map((f) => f.function)), calleesOf)].filter((name) => callsOutside.has(name)));
  return { findings: shown, notes, functions: parsed.total, analysed, incomplete, releaseSites, withheld: findings.length - shown.length, exported, functionsWithFindings, outsideCallsOfFindings };
}

/** Every function `from` calls, directly or through the functions of `calleesOf`. */
function reachableCallees(from: Set<string>, calleesOf: Map<string, string[]>): Set<string> {
  const reached = new Set<string>();
  const queue = [...from];
  while (queue.length > 0) {
    for (const callee of calleesOf.get(queue.pop() as string) ?? []) {
      if (reached.has(callee)) continue;
      reached.add(callee);
      queue.push(callee);
    }
  }
  return reached;
}

/** The summaries of the functions the file calls from elsewhere, each from the first map that has it. */
function summariesCalled(names: Set<string>, sources: readonly Summaries[]): Summaries {
  const called: Summaries = new Map();
  if (sources.length === 0) return called;
  for (const name of names) {
    const summary = sources.find((source) => source.has(name))?.get(name);
    if (summary) called.set(name, summary);
  }
  return called;
}

function analyzeFunction(fn: CFunction, text: string, table: ApiTable, annotations: Annotation[], maxVisits: number, lines: LineIndex, facts: FileFacts, summaries: Summaries) {
  const acquires = new Set<string>();
  for (const a of annotations) {
    if ((a.name === '__acquires' || a.name === '__must_hold' || a.name === '__cond_acquires') && a.start >= fn.s && a.start < fn.bodyStart) {
      acquires.add(a.argument.replace(/^&/, '').replace(/\s+/g, ''));
    }
  }
  const analyzer = new FunctionAnalyzer(fn, table, text, acquires, facts, summaries);
  const raw = analyzer.run({ maxVisits, widenAfter: 24 });
  const findings: CFinding[] = raw.findings.map((f) => {
    const judged = findingConfidence(f.kind, f.evidence, { selfTest: facts.selfTest, releasedThroughMember: f.releasedThroughMember === true, lockFamily: f.lockFamily });
    const finding: CFinding = {
      kind: f.kind,
      code: codeOfKind(f.kind).code,
      message: fillLines(f.message, lines),
      start: f.start,
      end: f.end,
      related: f.related.map((r) => ({ ...r, message: fillLines(r.message, lines) })),
      function: fn.name,
      confidence: judged.confidence,
    };
    if (judged.reason !== undefined) finding.lowConfidenceReason = judged.reason;
    if (f.res) finding.acquiredAt = f.res.site;
    if (f.path) finding.path = f.path.map((step) => ({ ...step, message: `line ${lines.positionAt(step.start).line + 1}: ${step.message}` }));
    if ((f.kind === 'leak' || f.kind === 'lock-leak') && f.res) {
      const fix = leakFix(text, fn, f.res, f.exitNode, table);
      if (fix) finding.fix = fix;
    }
    return finding;
  });
  return { findings, incomplete: raw.incomplete, releaseSites: raw.releaseSites };
}

/** The findings of `analyzeCText`. */
export function analyzeCSource(text: string, table: ApiTable, options?: CAnalysisOptions): CFinding[] {
  return analyzeCText(text, table, options).findings;
}

/** Findings and parse notes as core diagnostics, for the server and the CLI. */
export function analyzeCFile(text: string, table: ApiTable, options?: CAnalysisOptions): Diagnostic[] {
  const result = analyzeCText(text, table, options);
  return [...findingsToDiagnostics(result.findings), ...result.notes];
}

export { translateCBody, cBodyContextFromFile, type CBodyContext, type CBodyTranslation, type ModelObjectInfo } from './translate';
