// Findings of one function: leaks at returns, inconsistent error paths, one finding per bug.

import type { CfgNode } from '../cir';
import { storeMentions } from '../keys';
import { isLive, type Res, type State } from '../state';
import type { AnalyzerContext, LeakEvidence, RawFinding, Value } from './context';
import { isErrorReturn, releasedThroughContainer, shouldReport } from './conventions';
import { escape, evaluate } from './expressions';
import { noteLocksAtReturn, unlockedByAnotherLoop } from './locks';
import { keptByLiveFiles } from './releaseMatching';
import { releasedByCallersOnFailure } from './callers';
import { isStandingEnable } from './standingEnables';

export function leaveFunction(ctx: AnalyzerContext, node: CfgNode & { k: 'return' }, state: State): void {
  let s = state;
  let returned: Value = {};
  if (node.expr) {
    const result = evaluate(ctx, node.expr, s);
    s = result.state;
    returned = result.value;
    const mentions = storeMentions(node.expr);
    if (returned.key !== undefined) mentions.push(returned.key);
    escape(ctx, s, mentions, false, true);
    if (returned.key !== undefined) s.res = s.res.filter((r) => !(r.status === 'cond' && r.condVar === returned.key));
  }
  const error = isErrorReturn(ctx, node.expr, returned, s);
  noteLocksAtReturn(ctx, s, error);
  const unreported: Res[] = [];
  const exitNode = s.lastGoto >= 0 ? ctx.fn.nodes[s.lastGoto] : undefined;
  const keptByFiles = keptByLiveFiles(ctx, s);
  for (const res of s.res) {
    if (!isLive(res) || !res.tracked) continue;
    // `lh` handed to `anon_inode_getfile(..., lh, ...)`: the file frees it, and the file is still held.
    if (res.api.kind === 'memory' && keptByFiles.size > 0 && res.names.some((n) => keptByFiles.has(n))) continue;
    // `cxl_configure_adapter()` fails holding the enabled device, and every caller disables it then.
    if (error && releasedByCallersOnFailure(ctx.file.callerReleases, ctx.fn, res)) continue;
    // A resume callback keeps the device's standing enables even when it fails: the next suspend drops them.
    if (error && isStandingEnable(ctx.file.power, ctx.fn.name, ctx.releasedAnywhere, res)) continue;
    const verdict = shouldReport(ctx, res, error, returned.key);
    if (verdict !== 'no') {
      const lock = res.api.kind === 'lock';
      const what = lock ? res.argTexts[0] ?? res.family : objectName(ctx, res);
      const leftVia = exitNode && exitNode.k === 'goto' && res.gotoAtAcquire !== s.lastGoto ? exitNode : undefined;
      const finding: RawFinding = {
        kind: lock ? 'lock-leak' : 'leak',
        start: node.s,
        end: node.e,
        message: lock
          ? `${what} is still locked when this path returns: ${res.api.name}() at line {line:${res.site}} has no ${res.api.release ?? 'unlock'}() on this path`
          : `${what.startsWith('the object returned by') ? what : `${what} from ${res.api.name}()`} at line {line:${res.site}} is still held when this path returns; release it with ${res.api.release ?? 'the matching release'}()`,
        related: [
          { start: res.site, end: res.siteEnd, message: lock ? 'locked here' : 'acquired here' },
          ...(leftVia ? [{ start: leftVia.s, end: leftVia.e, message: 'the path leaves through this goto' }] : []),
          { start: node.s, end: node.e, message: 'returns here' },
        ],
        res,
        exitNode: leftVia ?? node,
        returnNode: node,
        path: pathSince(s, res),
        evidence: leakEvidence(res, { errorReturn: error, releasedElsewhere: res.names.some((n) => ctx.releasedAnywhere.has(`${res.family}|${n}`)), returnsValue: node.expr !== undefined, unlockedByAnotherLoop: lock && unlockedByAnotherLoop(ctx, res) }),
      };
      if (verdict === 'yes') report(ctx, finding);
      else ctx.escapedLeaks.push(finding);
    } else if (res.api.kind === 'ref' && !res.local && !res.iterator && !releasedThroughContainer(ctx, res)) {
      unreported.push(res);
    }
  }
  if (error) ctx.errorReturns.push({ node, via: s.lastGoto, held: unreported });
}

/** The branches and gotos a path took after it acquired `res`, first to last (at most 40). */
function pathSince(state: State, res: Res): { start: number; end: number; message: string }[] {
  const steps: { start: number; end: number; message: string }[] = [];
  for (let step = state.trail; step && step !== res.trailAtAcquire && steps.length < 40; step = step.prev) steps.push({ start: step.s, end: step.e, message: step.text });
  return steps.reverse();
}

/** The evidence of a leak of `res`, from what the return showed. */
function leakEvidence(res: Res, at: Pick<LeakEvidence, 'errorReturn' | 'releasedElsewhere' | 'returnsValue' | 'unlockedByAnotherLoop'>): LeakEvidence {
  return { ...at, local: res.local || res.iterator, escaped: res.escaped === true, family: res.family, objectKind: res.api.kind, lockHanded: res.handedToCallee === true, registered: res.handedToRegistration === true, containerPut: res.containerPut === true, queuedWork: res.queuedWork === true };
}

/** How a finding names the object a path still holds. */
export function objectName(ctx: AnalyzerContext, res: Res): string {
  const named = res.names.find((n) => !n.startsWith('$') && !n.startsWith('@'));
  if (named !== undefined) return named;
  if (typeof res.api.object === 'number' && res.argTexts[res.api.object] !== undefined) return res.argTexts[res.api.object];
  return `the object returned by ${res.api.name}()`;
}

export function reportInconsistentPaths(ctx: AnalyzerContext): void {
  if (ctx.errorReturns.length < 2) return;
  const seen = new Set<number>();
  for (const holder of ctx.errorReturns) {
    for (const res of holder.held) {
      if (seen.has(res.site)) continue;
      // Paths that share one return (an unwind ladder ending in `return ret;`) differ by the goto they left through.
      const clean = ctx.errorReturns.find((other) => (other.node !== holder.node || other.via !== holder.via) && !other.held.some((h) => h.site === res.site));
      if (!clean) continue;
      seen.add(res.site);
      const what = objectName(ctx, res);
      const cleanPlace = clean.node !== holder.node ? `the error return at line {line:${clean.node.s}}` : 'another path to this return';
      report(ctx, {
        kind: 'inconsistent-paths',
        start: holder.node.s,
        end: holder.node.e,
        message: `this error return keeps the reference to ${what} taken by ${res.api.name}() at line {line:${res.site}}, but ${cleanPlace} leaves the count unchanged`,
        related: [
          { start: res.site, end: res.siteEnd, message: 'reference taken here' },
          { start: clean.node.s, end: clean.node.e, message: 'this error return holds no reference' },
        ],
        res,
        exitNode: holder.node,
        returnNode: holder.node,
        // Another error return holds none of it: the function releases it elsewhere.
        evidence: leakEvidence(res, { errorReturn: true, releasedElsewhere: true, returnsValue: true, unlockedByAnotherLoop: false }),
      });
    }
  }
}

/**
 * Records a finding once per bug: a leak once per acquired object (at its first leaking return in
 * the text, the other returns listed as related), a double release or a use once per site.
 */
export function report(ctx: AnalyzerContext, finding: RawFinding): void {
  const leak = (finding.kind === 'leak' || finding.kind === 'lock-leak' || finding.kind === 'inconsistent-paths') && finding.res !== undefined;
  const key = leak ? `${finding.kind}|${finding.res?.site}` : `${finding.kind}|${finding.start}`;
  const known = ctx.findings.get(key);
  if (!known) {
    ctx.findings.set(key, finding);
    return;
  }
  if (!leak || known.start === finding.start) return;
  const [first, other] = finding.start < known.start ? [finding, known] : [known, finding];
  const also = { start: other.start, end: other.end, message: 'also returns here with it held' };
  const related = [...first.related.filter((r) => r.message !== also.message), ...known.related.filter((r) => r.message === also.message && r.start !== first.start), ...(other === finding || other === known ? [also] : [])];
  const seen = new Set<number>();
  first.related = related.filter((r) => (r.message !== also.message ? true : !seen.has(r.start) && (seen.add(r.start), true)));
  ctx.findings.set(key, first);
}
