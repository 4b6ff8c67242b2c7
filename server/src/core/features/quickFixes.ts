// Quick fixes for violations. The core proposes candidate edits from the violation's trace; each
// is only offered after the engine has re-checked every proposal of the edited model and found that
// the violation is gone and that no error was added (`judgeFix`): no new unexpected violation and no
// new unmet expectation. The server runs those checks in its worker; `verifiedQuickFixes` does the
// same synchronously for tests and tools.

import { expectedKinds, unexpectedKinds } from '../engine/expectation';
import type { ModelResult, ProposalResult, TraceStep } from '../engine/types';
import type { Statement } from '../syntax/ast';
import { violationCode } from '../diagnostics/codes';
import { isCheckable, type Analysis } from './analysis';
import { applyProposalCandidate, lineBreak } from './applyProposal';
import { proposalLabel } from '../report/verdictWording';
import { indentationAt, isStatement, statementSpanning, walk } from './nodes';
import { formatCount, overlaps, toRange } from './ranges';
import type { CodeActionItem } from './types';

export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

export interface FixCandidate {
  /** Identifies the candidate within one version of the document. */
  key: string;
  /** What the edit does, without the verification. */
  title: string;
  /** The proposal (or `baseline`) whose violation it addresses. */
  target: string;
  violationKind: string;
  code: string;
  edits: OffsetEdit[];
  /**
   * Proposals to re-check; undefined means all. No candidate here sets it: the judge needs every
   * proposal's verdict to see that the edit added no error, and refuses a fix without them.
   */
  checkProposals?: string[];
}

export function applyOffsetEdits(text: string, edits: OffsetEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const edit of sorted) result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  return result;
}

/** The statement a trace step executed: exactly its range when possible, else the innermost around it. */
function stepStatement(analysis: Analysis, step: { start: number; end: number }): Statement | undefined {
  const exact = statementSpanning(analysis.file, step.start, step.end);
  if (exact) return exact;
  let found: Statement | undefined;
  walk(analysis.file, (node) => {
    if (node.end < step.start || node.start > step.start) return false;
    if (isStatement(node) && node.start <= step.start && step.end <= node.end) found = node;
    return undefined;
  });
  return found;
}

/** An edit inserting a new statement on its own line after `statement`, at its indentation. */
function insertAfter(analysis: Analysis, statement: Statement, newStatement: string): OffsetEdit {
  const indent = indentationAt(analysis.text, statement.start);
  if (statement.kind === 'ReturnStatement') return insertBefore(analysis, statement, newStatement);
  return { start: statement.end, end: statement.end, newText: `${lineBreak(analysis.text)}${indent}${newStatement}` };
}

/** An edit inserting a new statement before `statement`, keeping its line's indentation. */
function insertBefore(analysis: Analysis, statement: Statement, newStatement: string): OffsetEdit {
  const indent = indentationAt(analysis.text, statement.start);
  const lineStart = statement.start - indent.length;
  if (analysis.text.slice(lineStart, statement.start).trim() === '') {
    return { start: lineStart, end: lineStart, newText: `${indent}${newStatement}${lineBreak(analysis.text)}` };
  }
  return { start: statement.start, end: statement.start, newText: `${newStatement}; ` };
}

const EVENT = /^(\w+)\s+(?:issue\s+|complete\s+)?([A-Za-z_][\w.-]*)/;

function eventParts(step: TraceStep): { verb: string; place: string } | undefined {
  const match = EVENT.exec(step.event);
  return match ? { verb: match[1], place: match[2] } : undefined;
}

function baseActor(actor: string): string {
  return actor.replace(/\[\d+\]$/, '');
}

/** Whether a trace variable such as `mm.users` is a reference count. */
function isRefCounter(analysis: Analysis, variable: string): boolean {
  const dot = variable.indexOf('.');
  if (dot <= 0) return false;
  const members = analysis.semantic.model.membersOf(variable.slice(0, dot));
  return members.some((m) => m.name === variable.slice(dot + 1) && m.memberKind === 'ref');
}

/** Per actor: how many references and locks it took minus how many it dropped, by release statement. */
function balances(analysis: Analysis, trace: TraceStep[]): Map<string, Map<string, number>> {
  const balance = new Map<string, Map<string, number>>();
  for (const step of trace) {
    let perActor = balance.get(step.actor);
    if (!perActor) balance.set(step.actor, (perActor = new Map()));
    for (const change of step.changes) {
      if (change.after === `held by ${step.actor}`) perActor.set(`unlock ${change.name}`, (perActor.get(`unlock ${change.name}`) ?? 0) + 1);
      else if (change.before === `held by ${step.actor}`) perActor.set(`unlock ${change.name}`, (perActor.get(`unlock ${change.name}`) ?? 0) - 1);
      else if (isRefCounter(analysis, change.name) && /^-?\d+$/.test(change.before) && /^-?\d+$/.test(change.after)) {
        // Only the actor's own get and put count; on-zero actions run as separate steps.
        const verb = eventParts(step)?.verb;
        if (verb !== 'get' && verb !== 'put' && verb !== 'tryget') continue;
        const key = `put ${change.name}`;
        perActor.set(key, (perActor.get(key) ?? 0) + Number(change.after) - Number(change.before));
      }
    }
  }
  return balance;
}

/** Add the put or unlock that an actor's path is missing, after its last step. */
function missingReleaseCandidates(analysis: Analysis, result: ProposalResult, trace: TraceStep[]): FixCandidate[] {
  const candidates: FixCandidate[] = [];
  const lastStep = new Map<string, TraceStep>();
  for (const step of trace) lastStep.set(step.actor, step);
  const balance = balances(analysis, trace);
  const add = (actor: string, release: string) => {
    const step = lastStep.get(actor);
    const statement = step && stepStatement(analysis, step);
    if (!statement) return;
    candidates.push({
      key: `release:${result.name}:${actor}:${release}`,
      title: `Add \`${release}\` at the end of ${actor}'s path`,
      target: result.name,
      violationKind: result.kind ?? 'violation',
      code: violationCode(result.kind ?? '')?.code ?? '',
      edits: [insertAfter(analysis, statement, release)],
    });
  };
  for (const [actor, perActor] of balance) {
    for (const [release, count] of perActor) if (count > 0) add(actor, release);
  }
  const leaked = result.kind === 'leak' ? /^([A-Za-z_][\w-]*) is still allocated/.exec(result.message ?? '')?.[1] : undefined;
  if (candidates.length === 0 && leaked) {
    // Nobody took an extra reference: some actor that touched the object owned one and never dropped it.
    const counters = analysis.semantic.model.membersOf(leaked).filter((m) => m.memberKind === 'ref');
    for (const [actor, step] of lastStep) {
      if (step.actorKind !== 'thread') continue;
      const touched = trace.some((s) => s.actor === actor && eventParts(s)?.place.split('.')[0] === leaked);
      if (!touched) continue;
      for (const counter of counters) {
        const release = `put ${leaked}.${counter.name}`;
        if ((balance.get(actor)?.get(release) ?? 0) === 0) add(actor, release);
      }
    }
  }
  return candidates.slice(0, 4);
}

/** Turn the failing `get` into a `tryget` whose failure leaves the procedure. */
function trygetCandidate(analysis: Analysis, result: ProposalResult, failing: Statement): FixCandidate[] {
  if (failing.kind !== 'RefStatement' || failing.op !== 'get') return [];
  const place = analysis.text.slice(failing.target.start, failing.target.end);
  return [
    {
      key: `tryget:${result.name}:${failing.start}`,
      title: `Turn \`get ${place}\` into \`tryget\` with a failure branch`,
      target: result.name,
      violationKind: result.kind ?? 'get-from-zero',
      code: violationCode(result.kind ?? '')?.code ?? '',
      edits: [{ start: failing.start, end: failing.end, newText: `if !tryget ${place} { return }` }],
    },
  ];
}

/** The statements of the block that directly contains `statement`. */
function siblingsOf(analysis: Analysis, statement: Statement): Statement[] | undefined {
  let siblings: Statement[] | undefined;
  walk(analysis.file, (node) => {
    if (siblings || node.end < statement.start || node.start > statement.end) return false;
    if (node.kind === 'Block' && node.statements.includes(statement)) siblings = node.statements;
    return undefined;
  });
  return siblings;
}

/** Move a free after the stop or quiesce of the device that can still reach the object, or add one. */
function deviceOrderCandidates(analysis: Analysis, result: ProposalResult, trace: TraceStep[]): FixCandidate[] {
  const deviceActors = [...new Set(trace.filter((s) => s.actorKind === 'device').map((s) => baseActor(s.actor)))];
  if (deviceActors.length === 0) return [];
  const freeStep = [...trace].reverse().find((s) => s.actorKind === 'thread' && eventParts(s)?.verb === 'free');
  const freeStatement = freeStep && stepStatement(analysis, freeStep);
  if (!freeStatement || freeStatement.kind !== 'LifecycleStatement') return [];
  const candidates: FixCandidate[] = [];
  const siblings = siblingsOf(analysis, freeStatement) ?? [];
  const freeText = analysis.text.slice(freeStatement.start, freeStatement.end);
  for (const device of deviceActors) {
    const later = siblings.find(
      (s) => s.start > freeStatement.end && s.kind === 'DeviceStatement' && (s.op === 'quiesce' || s.op === 'stop') && analysis.text.slice(s.target.start, s.target.end) === device,
    );
    if (later && later.kind === 'DeviceStatement') {
      const indent = indentationAt(analysis.text, freeStatement.start);
      const lineStart = freeStatement.start - indent.length;
      const ownLine = analysis.text.slice(lineStart, freeStatement.start).trim() === '';
      let removeEnd = freeStatement.end;
      while (analysis.text[removeEnd] === ' ' || analysis.text[removeEnd] === ';') removeEnd++;
      if (ownLine && analysis.text[removeEnd] === '\r') removeEnd++;
      if (ownLine && analysis.text[removeEnd] === '\n') removeEnd++;
      candidates.push({
        key: `move-free:${result.name}:${freeStatement.start}:${later.start}`,
        title: `Move \`${freeText}\` after \`${later.op} ${device}\``,
        target: result.name,
        violationKind: result.kind ?? 'violation',
        code: violationCode(result.kind ?? '')?.code ?? '',
        edits: [
          { start: ownLine ? lineStart : freeStatement.start, end: removeEnd, newText: '' },
          { start: later.end, end: later.end, newText: `${lineBreak(analysis.text)}${indentationAt(analysis.text, later.start)}${freeText}` },
        ],
      });
    } else {
      candidates.push({
        key: `quiesce:${result.name}:${freeStatement.start}:${device}`,
        title: `Quiesce \`${device}\` before \`${freeText}\``,
        target: result.name,
        violationKind: result.kind ?? 'violation',
        code: violationCode(result.kind ?? '')?.code ?? '',
        edits: [insertBefore(analysis, freeStatement, `quiesce ${device}`)],
      });
    }
  }
  return candidates;
}

/** Take, around the failing step, a lock that the freeing actor held when it freed. */
function lockOrderCandidates(analysis: Analysis, result: ProposalResult, trace: TraceStep[], failingStatement: Statement): FixCandidate[] {
  const outer = outermostStatement(analysis, failingStatement);
  const targets = outer && outer !== failingStatement ? [failingStatement, outer] : [failingStatement];
  return targets.flatMap((statement) => lockAround(analysis, result, trace, statement));
}

/** The statement of a procedure's or thread's body that contains `statement`. */
function outermostStatement(analysis: Analysis, statement: Statement): Statement | undefined {
  let found: Statement | undefined;
  walk(analysis.file, (node) => {
    if (found || node.end < statement.start || node.start > statement.end) return false;
    if ((node.kind === 'FnDecl' || node.kind === 'ThreadDecl') && node.body.kind === 'Block') {
      found = node.body.statements.find((s) => s.start <= statement.start && statement.end <= s.end);
      return false;
    }
    return undefined;
  });
  return found;
}

function lockAround(analysis: Analysis, result: ProposalResult, trace: TraceStep[], failing: Statement): FixCandidate[] {
  const failingStep = trace[trace.length - 1];
  const held = new Map<string, Set<string>>();
  const candidates: FixCandidate[] = [];
  const eol = lineBreak(analysis.text);
  for (const step of trace) {
    let locks = held.get(step.actor);
    if (!locks) held.set(step.actor, (locks = new Set()));
    for (const change of step.changes) {
      if (change.after === `held by ${step.actor}`) locks.add(change.name);
      else if (change.before === `held by ${step.actor}`) locks.delete(change.name);
    }
    if (eventParts(step)?.verb !== 'free' || step.actor === failingStep.actor) continue;
    for (const lock of locks) {
      const key = `lock:${result.name}:${failing.start}:${lock}`;
      if (candidates.some((c) => c.key === key)) continue;
      const indent = indentationAt(analysis.text, failing.start);
      const lineStart = failing.start - indent.length;
      const ownLine = analysis.text.slice(lineStart, failing.start).trim() === '';
      candidates.push({
        key,
        title: `Take \`${lock}\` around \`${analysis.text.slice(failing.start, failing.end).replace(/\s+/g, ' ')}\``,
        target: result.name,
        violationKind: result.kind ?? 'violation',
        code: violationCode(result.kind ?? '')?.code ?? '',
        edits: ownLine
          ? [
              { start: lineStart, end: lineStart, newText: `${indent}lock ${lock}${eol}` },
              { start: failing.end, end: failing.end, newText: `${eol}${indent}unlock ${lock}` },
            ]
          : [
              { start: failing.start, end: failing.start, newText: `lock ${lock}; ` },
              { start: failing.end, end: failing.end, newText: `; unlock ${lock}` },
            ],
      });
    }
  }
  return candidates;
}

/** Candidate fixes for the violations whose failing step or proposal name overlaps [start, end]. */
export function fixCandidates(analysis: Analysis, start: number, end: number): FixCandidate[] {
  const engine = analysis.engine;
  if (!engine) return [];
  const range = { start, end };
  const candidates: FixCandidate[] = [];
  const baseline = engine.proposals.find((p) => p.name === 'baseline');
  for (const result of engine.proposals) {
    if (result.verdict !== 'violation' || !result.trace || result.trace.length === 0) continue;
    const failingRange = { start: result.violationStart ?? result.start, end: result.violationEnd ?? result.end };
    if (!overlaps(failingRange, range) && !overlaps({ start: result.start, end: result.end }, range)) continue;
    const trace = result.trace;
    const failing = stepStatement(analysis, failingRange) ?? stepStatement(analysis, trace[trace.length - 1]);
    switch (result.kind) {
      case 'leak':
      case 'lock-misuse':
      case 'deadlock':
        candidates.push(...missingReleaseCandidates(analysis, result, trace));
        break;
      case 'get-from-zero':
        if (failing) candidates.push(...trygetCandidate(analysis, result, failing));
        break;
      case 'use-after-free':
      case 'dma-after-free':
      case 'stale-access':
      case 'ordering':
        candidates.push(...deviceOrderCandidates(analysis, result, trace));
        if (failing) candidates.push(...lockOrderCandidates(analysis, result, trace, failing));
        break;
      default:
        break;
    }
  }
  if (baseline && baseline.verdict === 'violation') {
    const baselineRange = { start: baseline.violationStart ?? baseline.start, end: baseline.violationEnd ?? baseline.end };
    for (const item of analysis.file.items) {
      if (item.kind !== 'ProposalDecl') continue;
      const verdict = engine.proposals.find((p) => p.name === item.name.text);
      if (!verdict || verdict.verdict !== 'safe') continue;
      if (!overlaps(baselineRange, range) && !overlaps({ start: item.name.start, end: item.name.end }, range)) continue;
      const candidate = applyProposalCandidate(analysis, item, baseline.kind ?? 'violation');
      if (candidate) candidates.push(candidate);
    }
  }
  // Proposals that fail at the same step yield the same edit; offer it once (for the first, the baseline).
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const signature = JSON.stringify(c.edits);
    if (seen.has(c.key) || seen.has(signature)) return false;
    seen.add(c.key);
    seen.add(signature);
    return true;
  });
}

/**
 * The errors a check shows (see core/report/verdictDiagnostics.ts), as keys that name the
 * proposal and the problem but not where it sits, so that an edit elsewhere does not change them.
 */
function errorKeys(result: ModelResult): Set<string> {
  const keys = new Set<string>();
  for (const diagnostic of result.diagnostics) if (diagnostic.severity === 'error') keys.add(`${diagnostic.code}: ${diagnostic.message}`);
  for (const proposal of result.proposals) {
    for (const kind of unexpectedKinds(proposal)) keys.add(violationKey(proposal.name, kind));
    if (proposal.expected !== undefined && proposal.expectationMet === false && proposal.verdict !== 'incomplete') keys.add(unmetKey(proposal.name));
  }
  return keys;
}

function violationKey(proposal: string, kind: string | undefined): string {
  return `${proposal}: unexpected ${kind ?? 'violation'}`;
}

function unmetKey(proposal: string): string {
  return `${proposal}: expectation unmet`;
}

/** The names of the baseline and of every proposal the edited model declares. */
function declaredProposals(analysis: Analysis): string[] {
  return ['baseline', ...analysis.file.items.flatMap((item) => (item.kind === 'ProposalDecl' ? [item.name.text] : []))];
}

/**
 * The errors of the edited model that the original did not have. The one error a fix may add is
 * the target's unmet expectation when that expectation named the very violation the fix removes.
 */
export function addedErrors(before: ModelResult, candidate: FixCandidate, after: ModelResult): string[] {
  const known = errorKeys(before);
  const previousTarget = before.proposals.find((p) => p.name === candidate.target);
  const allowed = previousTarget?.expected !== undefined && expectedKinds(previousTarget.expected).includes(candidate.violationKind) ? unmetKey(candidate.target) : undefined;
  return [...errorKeys(after)].filter((key) => !known.has(key) && key !== allowed);
}

/**
 * The code action for a candidate, if the re-check of every proposal of the edited model shows that
 * the target's violation is gone, that every verdict is complete, and that no error was added;
 * undefined otherwise.
 */
export function judgeFix(before: Analysis, candidate: FixCandidate, after: ModelResult, afterAnalysis: Analysis): CodeActionItem | undefined {
  if (!before.engine || !isCheckable(afterAnalysis)) return undefined;
  const target = after.proposals.find((p) => p.name === candidate.target);
  if (!target || target.verdict !== 'safe') return undefined;
  const checked = new Set(after.proposals.map((p) => p.name));
  if (!declaredProposals(afterAnalysis).every((name) => checked.has(name))) return undefined;
  if (after.proposals.some((result) => result.verdict === 'incomplete')) return undefined;
  if (addedErrors(before.engine, candidate, after).length > 0) return undefined;
  const alsoFixed = after.proposals.filter((result) => {
    const previous = before.engine?.proposals.find((p) => p.name === result.name);
    return result.name !== target.name && result.verdict === 'safe' && previous?.verdict === 'violation';
  }).length;
  const others = alsoFixed > 0 ? `; ${alsoFixed} more proposal${alsoFixed === 1 ? '' : 's'} now safe` : '';
  return {
    title: `${candidate.title} — verified: ${proposalLabel(target)} safe (${formatCount(target.states)} states${others}), no new errors`,
    kind: 'quickfix',
    isPreferred: true,
    diagnosticCodes: candidate.code ? [candidate.code] : [],
    edits: candidate.edits
      .slice()
      .sort((a, b) => a.start - b.start)
      .map((edit) => ({ range: toRange(before.lines, edit.start, edit.end), newText: edit.newText })),
  };
}

/** Candidates verified synchronously with `check` (which must parse, check and run the engine). */
export function verifiedQuickFixes(
  analysis: Analysis,
  start: number,
  end: number,
  check: (text: string, proposals: string[] | undefined) => { analysis: Analysis; result: ModelResult },
): CodeActionItem[] {
  const actions: CodeActionItem[] = [];
  for (const candidate of fixCandidates(analysis, start, end)) {
    const edited = applyOffsetEdits(analysis.text, candidate.edits);
    const { analysis: afterAnalysis, result } = check(edited, candidate.checkProposals);
    const action = judgeFix(analysis, candidate, result, afterAnalysis);
    if (action) actions.push(action);
  }
  return actions;
}
