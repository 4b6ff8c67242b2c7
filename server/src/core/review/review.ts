// Reviews a series: each patch is applied in memory to the tree the patches before it left, and
// each C file and model it touches is analysed before and after it. When the first patch does not
// apply but the whole series applies backwards, the tree already holds the series (a branch being
// reviewed in its own checkout): the series is taken out first and reviewed against what is left.

import { describePatch, displayPath, type ParsedSeries, type Patch } from './patch';
import { reviewCFile, type CAnalyzer } from './cReview';
import { reviewModelFile, type ModelChecker } from './modelReview';
import { applyFile, PatchedTree, type AppliedFile, type TreeSource } from './tree';
import type { FileReview, PatchReview, SeriesReview } from './types';

export interface ReviewEnvironment {
  /** Every C finding of a file's text; undefined when C files are not reviewed. */
  analyzeC?: CAnalyzer;
  /** The verdicts of a model's proposals (`engineModelChecker(budget)` runs the engine here); undefined when models are not reviewed. */
  checkModel?: ModelChecker;
}

/** Why a series cannot be reviewed: what is wrong and the 0-based line of the patch input it concerns. */
export interface ReviewProblem {
  /** `syntax`: the patch is malformed; `apply`: it does not apply to the tree. */
  kind: 'syntax' | 'apply';
  message: string;
  inputLine: number;
}

export type ReviewOutcome = { ok: true; review: SeriesReview } | { ok: false; problems: ReviewProblem[] };

export function languageOfPath(path: string): 'c' | 'lifetime' | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.c') || lower.endsWith('.h')) return 'c';
  if (lower.endsWith('.lifetime')) return 'lifetime';
  return undefined;
}

function applyPatch(tree: PatchedTree, patch: Patch, reverse: boolean): { ok: true; files: AppliedFile[] } | { ok: false; message: string; inputLine: number } {
  const files: AppliedFile[] = [];
  const order = reverse ? [...patch.files].reverse() : patch.files;
  for (const file of order) {
    const outcome = applyFile(tree, file, reverse);
    if (!outcome.ok) return outcome;
    files.push(outcome.applied);
  }
  return { ok: true, files: reverse ? files.reverse() : files };
}

function offsetNotes(applied: AppliedFile): string[] {
  const notes: string[] = [];
  for (const placed of applied.hunks) {
    if (placed.offset === 0 && placed.fuzz === 0) continue;
    const where = placed.offset === 0 ? 'where its header says' : `${Math.abs(placed.offset)} line${Math.abs(placed.offset) === 1 ? '' : 's'} ${placed.offset > 0 ? 'later' : 'earlier'} than its header says`;
    const fuzz = placed.fuzz > 0 ? `, with fuzz ${placed.fuzz}: ${placed.ignoredContext} of its context lines did not match and were ignored` : '';
    notes.push(`${displayPath(applied.file)}: hunk #${placed.hunk.number} applied ${where}${fuzz}`);
  }
  return notes;
}

function reviewFile(applied: AppliedFile, env: ReviewEnvironment): FileReview | string | undefined {
  const path = displayPath(applied.file);
  if (applied.file.binary) return `${path}: a binary change, not reviewed`;
  const language = languageOfPath(path);
  if (language === 'c' && env.analyzeC) return reviewCFile(path, applied, env.analyzeC);
  if (language === 'lifetime' && env.checkModel) return reviewModelFile(path, applied, env.checkModel);
  return undefined;
}

/** Takes the whole series out of the tree, last patch first; undefined when it does not come out cleanly. */
function takeOut(source: TreeSource, patches: readonly Patch[]): PatchedTree | undefined {
  const tree = new PatchedTree(source);
  for (let k = patches.length - 1; k >= 0; k--) if (!applyPatch(tree, patches[k], true).ok) return undefined;
  return tree;
}

/** The analyzer, remembering each text's findings: in a series, a file after one patch is the file before the next. */
function remembering(analyze: CAnalyzer): CAnalyzer {
  const known = new Map<string, ReturnType<CAnalyzer>>();
  return (text) => {
    let findings = known.get(text);
    if (!findings) known.set(text, (findings = analyze(text)));
    return findings;
  };
}

/**
 * The texts of the models free of errors that reviewing the series checks, before and after each
 * patch, so that a caller can check them (in worker threads, under a watchdog) and then review the
 * series with their results. Undefined when the series cannot be reviewed.
 */
export function modelTextsToCheck(series: ParsedSeries, source: TreeSource): string[] | undefined {
  const texts = new Set<string>();
  const outcome = reviewSeries(series, source, { checkModel: (text) => (texts.add(text), []) });
  return outcome.ok ? [...texts] : undefined;
}

export function reviewSeries(series: ParsedSeries, source: TreeSource, given: ReviewEnvironment): ReviewOutcome {
  const env: ReviewEnvironment = { ...given, analyzeC: given.analyzeC && remembering(given.analyzeC) };
  if (series.problems.length > 0) return { ok: false, problems: series.problems.map((p) => ({ kind: 'syntax' as const, message: `line ${p.inputLine + 1}: ${p.message}`, inputLine: p.inputLine })) };
  const total = series.patches.length;
  let tree = new PatchedTree(source);
  let alreadyApplied = false;
  if (total > 0 && !applyPatch(new PatchedTree(source), series.patches[0], false).ok) {
    const base = takeOut(source, series.patches);
    if (base) {
      tree = base;
      alreadyApplied = true;
    }
  }
  const reviews: PatchReview[] = [];
  for (const patch of series.patches) {
    const applied = applyPatch(tree, patch, false);
    if (!applied.ok) return { ok: false, problems: [{ kind: 'apply', message: `${describePatch(patch, total)}: ${applied.message}`, inputLine: applied.inputLine }] };
    const review: PatchReview = { patch, files: [], notes: [] };
    let skipped = 0;
    for (const file of applied.files) {
      review.notes.push(...offsetNotes(file));
      const reviewed = reviewFile(file, env);
      if (typeof reviewed === 'string') review.notes.push(reviewed);
      else if (reviewed) review.files.push(reviewed);
      else skipped++;
    }
    if (skipped > 0) review.notes.push(`${skipped} file${skipped === 1 ? '' : 's'} neither C nor a model, not reviewed`);
    reviews.push(review);
  }
  return { ok: true, review: { series, patches: reviews, alreadyApplied } };
}
