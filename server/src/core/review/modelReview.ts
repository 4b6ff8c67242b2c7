// One `.lifetime` file of a patch: the model is checked before and after, and what the patch
// changed is reported: a proposal that was safe and now has a violation no expectation names, an
// expectation that is now unmet (introduced), the reverse (fixed), and every verdict that changed
// (as notes). Syntax and name errors the patch brings in are introduced findings too; while the
// model has errors on one side the engine cannot run there, and the verdicts are not compared.

import { CODES, makeDiagnostic, violationCode, type Diagnostic } from '../diagnostics/codes';
import { checkModel } from '../engine/index';
import { reachedKinds, unexpectedKinds } from '../engine/expectation';
import type { EngineOptions, ProposalResult } from '../engine/types';
import { analyzeText, isCheckable } from '../features/analysis';
import type { SourceFile } from '../syntax/ast';
import { traceRelated } from '../report/verdictDiagnostics';
import { proposalLabel, verdictText } from '../report/verdictWording';
import { violationsOf } from '../report/violations';
import { classify, type Keyed } from './classify';
import type { AppliedFile } from './tree';
import type { FileReview, ReviewFinding } from './types';

export type ModelBudget = Pick<EngineOptions, 'exact' | 'maxStates' | 'timeoutMs' | 'maxMemoryBytes'>;

/**
 * The verdicts of every proposal of a model free of errors, with its expectations: the engine run
 * here (`engineModelChecker`), or results the caller obtained elsewhere (the CLI checks models in
 * worker threads under its watchdog, before the review, and looks them up by text).
 */
export type ModelChecker = (text: string, file: SourceFile) => ProposalResult[];

/** The engine, run in this thread within `budget`. */
export function engineModelChecker(budget: ModelBudget): ModelChecker {
  return (_text, file) => checkModel(file, undefined, budget).proposals;
}

interface Problem {
  diagnostic: Diagnostic;
  function: string;
  key: string;
}

interface ModelOutcome {
  checked: boolean;
  problems: Problem[];
  proposals: ProposalResult[];
}

/**
 * What of a proposal's result fails the file, as `lifetime check` decides it: each reachable kind no
 * expectation names (with its own trace), and an expectation that is not met.
 */
function proposalProblems(result: ProposalResult, text: string): Problem[] {
  const label = proposalLabel(result);
  const problems: Problem[] = [];
  const unexpected = unexpectedKinds(result);
  for (const violation of violationsOf(result)) {
    if (!unexpected.includes(violation.kind)) continue;
    const info = violationCode(violation.kind) || CODES.assertion;
    const why = result.expected === undefined ? 'no expectation names it' : `the file expects ${result.expected}`;
    const diagnostic = makeDiagnostic(info, `${info.kind} in ${label}: ${violation.message || info.summary} (${why})`, violation.violationStart, violation.violationEnd, traceRelated(violation, text));
    problems.push({ diagnostic, function: result.name, key: `violation|${result.name}|${violation.kind}` });
  }
  // A violation where the file expects `safe` is reported above, as the violation itself.
  const reportedAsViolation = result.verdict === 'violation' && unexpected.length > 0;
  if (result.expected !== undefined && result.expectationMet !== true && !reportedAsViolation) {
    const message =
      result.verdict === 'incomplete'
        ? `${label} is expected to be ${result.expected}, but the search could not confirm it (${verdictText(result)})`
        : `${label} is expected to be ${result.expected} but is ${verdictText(result)}`;
    problems.push({ diagnostic: makeDiagnostic(CODES.expectationUnmet, message, result.start, result.end), function: result.name, key: `unmet|${result.name}|${result.verdict}` });
  }
  return problems;
}

function outcomeOf(text: string, checker: ModelChecker): ModelOutcome {
  const analysis = analyzeText(text);
  const problems: Problem[] = [];
  for (const diagnostic of [...analysis.syntaxDiagnostics, ...analysis.semantic.diagnostics]) {
    if (diagnostic.severity === 'error') problems.push({ diagnostic, function: '', key: `error|${diagnostic.code}|${diagnostic.message}` });
  }
  if (!isCheckable(analysis)) return { checked: false, problems, proposals: [] };
  const proposals = checker(text, analysis.file);
  for (const proposal of proposals) problems.push(...proposalProblems(proposal, text));
  return { checked: true, problems, proposals };
}

function verdictChanges(before: ProposalResult[], after: ProposalResult[]): string[] {
  const notes: string[] = [];
  const outcome = (r: ProposalResult) => `${r.verdict}|${reachedKinds(r).join(',')}|${r.expectationMet ?? ''}`;
  for (const result of after) {
    const previous = before.find((r) => r.name === result.name);
    if (!previous) notes.push(`${proposalLabel(result)} is new: ${verdictText(result)}`);
    else if (outcome(previous) !== outcome(result)) notes.push(`${proposalLabel(result)}: ${verdictText(previous)} before, ${verdictText(result)} after`);
  }
  for (const previous of before) if (!after.some((r) => r.name === previous.name)) notes.push(`${proposalLabel(previous)} is removed (it was ${verdictText(previous)})`);
  return notes;
}

function keyed(problems: Problem[]): Keyed<Problem>[] {
  return problems.map((problem) => ({ item: problem, exact: problem.key, loose: problem.key }));
}

function toFinding(problem: Problem, cls: ReviewFinding['class']): ReviewFinding {
  return { class: cls, diagnostic: problem.diagnostic, function: problem.function, version: cls === 'fixed' ? 'before' : 'after' };
}

export function reviewModelFile(path: string, applied: AppliedFile, checker: ModelChecker): FileReview {
  const review: FileReview = { path, applied, language: 'lifetime', touched: [], findings: [], notes: [] };
  if (applied.after === undefined) {
    review.notes.push('the patch deletes this model; its verdicts are not compared');
    return review;
  }
  const after = outcomeOf(applied.after, checker);
  const before = applied.before === undefined ? undefined : outcomeOf(applied.before, checker);
  review.touched = after.proposals.map((p) => p.name);
  let beforeProblems = before?.problems ?? [];
  const afterProblems = after.problems;
  if (before && before.checked && !after.checked) {
    // The engine could not run after the patch: only the errors are compared.
    beforeProblems = beforeProblems.filter((p) => p.key.startsWith('error|'));
    review.notes.push('after the patch the model has errors, so the engine did not run and its verdicts are not compared');
  } else if (before && !before.checked && after.checked) {
    review.notes.push('before the patch the model had errors, so every verdict problem after it counts as introduced');
  }
  if (before?.checked && after.checked) review.notes.push(...verdictChanges(before.proposals, after.proposals));
  else if (!before && after.checked) review.notes.push(...verdictChanges([], after.proposals));
  const classified = classify(keyed(beforeProblems), keyed(afterProblems));
  review.findings = [
    ...classified.introduced.map((p) => toFinding(p, 'introduced')),
    ...classified.fixed.map((p) => toFinding(p, 'fixed')),
    ...classified.remaining.map((pair) => toFinding(pair.after, 'remaining')),
  ];
  return review;
}
