// C findings: their public shape, their quick fixes, and their conversion to core diagnostics.

import { CODES, makeDiagnostic, type CodeInfo, type Diagnostic } from '../diagnostics/codes';
import { LineIndex } from '../util/lineIndex';
import type { CFunction, CfgNode, StatementPlace } from './cir';
import type { Res } from './state';
import { exprKey } from './keys';
import type { ApiTable } from './apiTable';

export type FindingKind = 'leak' | 'lock-leak' | 'double-release' | 'use-after-release' | 'unbalanced-unlock' | 'inconsistent-paths';

export interface CFix {
  start: number;
  end: number;
  newText: string;
  title: string;
}

export interface CFinding {
  kind: FindingKind;
  code: string;
  message: string;
  start: number;
  end: number;
  related: { start: number; end: number; message: string }[];
  fix?: CFix;
  /** The function the finding is in. */
  function: string;
  /** For leaks: the offset of the acquiring call. */
  acquiredAt?: number;
  /** For leaks: the branches and gotos the path took from the acquire to the return, in order. */
  path?: { start: number; end: number; message: string }[];
  /** High: reported by default. Low: reported only when asked, with the reason (analysis/confidence.ts). */
  confidence: 'high' | 'low';
  lowConfidenceReason?: string;
}

const CODE_OF: Record<FindingKind, CodeInfo> = {
  leak: CODES.cLeak,
  'lock-leak': CODES.cLockLeak,
  'double-release': CODES.cDoubleRelease,
  'use-after-release': CODES.cUseAfterRelease,
  'unbalanced-unlock': CODES.cUnbalancedUnlock,
  'inconsistent-paths': CODES.cInconsistentPaths,
};

export function codeOfKind(kind: FindingKind): CodeInfo {
  return CODE_OF[kind];
}

/** Replaces `{line:OFFSET}` placeholders with 1-based line numbers. */
export function fillLines(message: string, lines: LineIndex): string {
  return message.replace(/\{line:(\d+)\}/g, (_, offset: string) => String(lines.positionAt(Number(offset)).line + 1));
}

export function findingsToDiagnostics(findings: CFinding[]): Diagnostic[] {
  return findings.map((f) => {
    const info = CODE_OF[f.kind];
    const diagnostic = makeDiagnostic(info, f.message, f.start, f.end, f.related);
    diagnostic.cFinding = { function: f.function, acquiredAt: f.acquiredAt, path: f.path ?? [], confidence: f.confidence };
    if (f.lowConfidenceReason !== undefined) {
      diagnostic.cFinding.lowConfidenceReason = f.lowConfidenceReason;
      // Shown only when asked for, and then below the findings a maintainer should act on.
      diagnostic.severity = 'info';
      diagnostic.message += ` (low confidence: ${f.lowConfidenceReason})`;
    }
    return diagnostic;
  });
}

// ---------------------------------------------------------------------------------------------
// Quick fixes

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const match = /^[ \t]*/.exec(text.slice(lineStart, offset + 1));
  return match ? match[0] : '';
}

function indentUnit(indent: string): string {
  return indent.includes('\t') || indent === '' ? '\t' : '    ';
}

/** The release call text for a resource, from the API's fix template or its release name. */
export function releaseCall(res: Res, table: ApiTable): string | undefined {
  const releaseName = res.api.release;
  if (!releaseName) return undefined;
  const variable = res.names.find((n) => !n.startsWith('$') && !n.startsWith('@'));
  const objectText =
    res.api.object === 'return' ? variable : res.api.object === 'none' ? '' : typeof res.api.object === 'number' ? res.argTexts[res.api.object] : undefined;
  const releaseEntry = table.byName.get(releaseName);
  if (res.iterator) {
    const loopVar = res.names[0];
    return `${releaseName}(${loopVar})`;
  }
  if (res.api.fix) {
    let missing = false;
    const text = res.api.fix.replace(/\{(object|result|arg(\d))\}/g, (_, what: string, index?: string) => {
      if (what === 'object') {
        if (objectText === undefined) missing = true;
        return objectText ?? '';
      }
      if (what === 'result') {
        if (!variable) missing = true;
        return variable ?? '';
      }
      const arg = res.argTexts[Number(index)];
      if (arg === undefined) missing = true;
      return arg ?? '';
    });
    return missing ? undefined : text;
  }
  if (objectText === undefined) return undefined;
  if (releaseEntry && releaseEntry.object === 'none') return `${releaseName}()`;
  return `${releaseName}(${objectText})`;
}

function insertBefore(text: string, place: StatementPlace, line: string, title: string): CFix {
  if (!place.unbraced) {
    const indent = lineIndent(text, place.s);
    const lineStart = text.lastIndexOf('\n', place.s - 1) + 1;
    const onOwnLine = text.slice(lineStart, place.s).trim() === '';
    if (onOwnLine) return { start: place.s, end: place.s, newText: `${line};\n${indent}`, title };
    return { start: place.s, end: place.s, newText: `${line}; `, title };
  }
  const ownerIndent = lineIndent(text, place.ownerStart);
  const inner = ownerIndent + indentUnit(ownerIndent);
  const statement = text.slice(place.s, place.e);
  // Replace the statement and the white space before it with a braced block.
  let start = place.s;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t' || text[start - 1] === '\n' || text[start - 1] === '\r')) start--;
  return { start, end: place.e, newText: ` {\n${inner}${line};\n${inner}${statement}\n${ownerIndent}}`, title };
}

/**
 * A fix for a leak: jump to an existing unwind label that releases the resource and falls through to
 * the goto's target, else insert the release before the goto or the return the path leaves through.
 */
export function leakFix(text: string, fn: CFunction, res: Res, exit: CfgNode | undefined, table: ApiTable): CFix | undefined {
  if (!exit || (exit.k !== 'goto' && exit.k !== 'return')) return undefined;
  if (exit.k === 'goto') {
    const retarget = unwindLabelFor(fn, res, exit.label, table);
    if (retarget) {
      const labelStart = text.indexOf(exit.label, exit.s + 4);
      if (labelStart >= 0 && labelStart < exit.e) {
        return { start: labelStart, end: labelStart + exit.label.length, newText: retarget, title: `Jump to ${retarget}, which releases ${res.names.find((n) => !n.startsWith('$')) ?? 'it'}` };
      }
    }
  }
  const call = releaseCall(res, table);
  if (!call) return undefined;
  if (exit.k === 'return' && exit.stmt.e - exit.stmt.s === 1 && text[exit.stmt.s] === '}') {
    // Falling off the end of the function: insert before the closing brace.
    const indent = lineIndent(text, fn.bodyStart) + '\t';
    return { start: exit.stmt.s, end: exit.stmt.s, newText: `${indent.replace(/^\n/, '')}${call};\n`, title: `Insert ${call}` };
  }
  return insertBefore(text, exit.stmt, call, `Insert ${call} before the ${exit.k === 'goto' ? 'goto' : 'return'}`);
}

function unwindLabelFor(fn: CFunction, res: Res, target: string, table: ApiTable): string | undefined {
  const targetLabel = fn.labels.find((l) => l.name === target);
  if (!targetLabel) return undefined;
  const candidates = fn.labels
    .filter((l) => l.block === targetLabel.block && l.s < targetLabel.s)
    .sort((a, b) => b.s - a.s);
  for (const label of candidates) {
    const between = (offset: number): boolean => offset > label.s && offset < targetLabel.s;
    if (fn.jumps.some((j) => between(j.s) && j.block === targetLabel.block)) break;
    const releases = fn.calls.some((call) => {
      if (!between(call.s)) return false;
      const entry = table.byName.get(call.callee);
      if (!entry || entry.effect !== 'release' || !entry.families.includes(res.family)) return false;
      if (entry.object === 'none') return true;
      const arg = typeof entry.object === 'number' ? call.args[entry.object] : undefined;
      const key = arg ? exprKey(arg) : undefined;
      return key !== undefined && res.names.includes(key);
    });
    if (releases) return label.name;
  }
  return undefined;
}
