// The C files of one run (a directory checked as a whole, a sample, the kernel, or one file): each file
// is analysed on its own, then its functions with findings that call a function summarised elsewhere
// (an inline helper of a header it includes, a function another file of the run exports) are analysed
// again with those summaries, so that a helper of `foo_util.c` that puts or unlocks what it is handed
// does so at its calls in `foo_main.c`. Summaries cross one call between files: the second pass
// exports nothing new.

import { runSummaries, type Summaries } from './analysis/summaries';
import type { ApiTable } from './apiTable';
import type { ControlMacros } from './controlMacros';
import { analyzeCText, type CAnalysisOptions, type CAnalysisResult } from './index';

export interface CRunFile {
  fileName: string;
  /** The file's text; read once per pass, so that a run over a whole tree need not hold every text at once. */
  read: () => string;
  /** The control macros this file sees: the run's headers' and those of the headers it includes. */
  controlMacros?: ControlMacros;
  /**
   * What the functions of the headers it includes by a quoted name do (`includedSummaries()`); they come
   * before the run's. Asked for only when a function with findings calls a function the file does not define.
   */
  headerSummaries?: () => Summaries;
}

export type CRunOptions = Omit<CAnalysisOptions, 'fileName' | 'controlMacros' | 'otherSummaries'>;

export interface CRunHandlers {
  /**
   * Each file's final result, `again` when the run's summaries changed what it was analysed with. A file
   * that cannot need them gets its result in the first pass, the others after it: `index` is its place
   * among the files.
   */
  result: (file: CRunFile, result: CAnalysisResult, again: boolean, index: number) => void;
  /** A file whose analysis threw; without this handler the run stops with the error. */
  threw?: (file: CRunFile, error: unknown) => void;
}

/** Analyses every file of a run, the second pass only where another file's summary is called. */
export function analyzeCRun(files: readonly CRunFile[], table: ApiTable, options: CRunOptions, handlers: CRunHandlers): void {
  // What a file's analysis or its headers' throws goes to the `threw` handler, and the run goes on.
  const guarded = <T>(file: CRunFile, work: () => T, otherwise: T): T => {
    try {
      return work();
    } catch (error) {
      if (!handlers.threw) throw error;
      handlers.threw(file, error);
      return otherwise;
    }
  };
  const analyze = (file: CRunFile, text: string, again?: { summaries: Summaries[]; functions: ReadonlySet<string> }): CAnalysisResult | undefined =>
    guarded(file, () => analyzeCText(text, table, { ...options, fileName: file.fileName, controlMacros: file.controlMacros, otherSummaries: again?.summaries, onlyFunctions: again?.functions }), undefined);
  const headersOf = (file: CRunFile): Summaries => guarded(file, () => file.headerSummaries?.() ?? new Map(), new Map());
  // A file is analysed again only where a function with a shown finding reaches a function summarised
  // elsewhere: what a helper of a header or of another file releases or keeps is there to lift a
  // finding that took the helper for a call that does neither. Its functions with findings, shown or
  // withheld, are then analysed again. A file whose shown findings call nothing outside it is done
  // after the first pass, so that a run over a tree keeps few results.
  const exported: Summaries[] = [];
  const waiting = new Map<number, CAnalysisResult>();
  files.forEach((file, index) => {
    const result = analyze(file, file.read());
    if (!result) return;
    if (result.exported.size > 0) exported.push(result.exported);
    if (result.outsideCallsOfFindings.size > 0) waiting.set(index, result);
    else handlers.result(file, result, false, index);
  });
  const run = runSummaries(exported);
  for (const [index, first] of waiting) {
    const file = files[index];
    const outside = [...first.outsideCallsOfFindings];
    const sources = [headersOf(file), run];
    const again = outside.some((name) => sources.some((source) => source.has(name)));
    // The text is read again only for a second pass: a run over a tree need not keep every text.
    const second = again ? analyze(file, file.read(), { summaries: sources, functions: first.functionsWithFindings }) : undefined;
    if (second) handlers.result(file, { ...first, findings: second.findings, withheld: second.withheld, functionsWithFindings: second.functionsWithFindings, releaseSites: new Map([...first.releaseSites, ...second.releaseSites]) }, true, index);
    else if (!again) handlers.result(file, first, false, index);
  }
}

/** One file checked on its own: a run of one, so that its headers' inline helpers count. */
export function analyzeCFileAlone(file: CRunFile, table: ApiTable, options: CRunOptions): CAnalysisResult {
  const results: CAnalysisResult[] = [];
  analyzeCRun([file], table, options, { result: (_file, result) => results.push(result) });
  // Without a `threw` handler the run either throws or gives each file its result.
  return results[0];
}

/** Each header's summaries by its text; a long-lived cache may key them by a digest of the text. */
export interface HeaderSummaryCache {
  get(text: string): Summaries | undefined;
  set(text: string, summaries: Summaries): void;
}

/**
 * What the functions of the headers a file includes by a quoted name do: their inline helpers
 * (`static inline void foo_put(struct foo *f) { kref_put(...); }`). A name two of them define is left
 * out. `cache` keeps each header's summaries by its text, for a run whose files share headers.
 */
export function includedSummaries(texts: readonly string[], table: ApiTable, options: CRunOptions & { controlMacros?: ControlMacros }, cache?: HeaderSummaryCache): Summaries {
  return runSummaries(
    texts.map((text) => {
      const known = cache?.get(text);
      if (known) return known;
      const exported = analyzeCText(text, table, { ...options, lowConfidence: false, fileName: 'included.h' }).exported;
      cache?.set(text, exported);
      return exported;
    }),
  );
}
