// A patch file in the editor: what the review of it found, as diagnostics on the patch text. An
// introduced finding sits on the added line it concerns, with its place in the patched file as
// related information; a finding the patch fixes is an information on the line that fixes it. A
// patch that is malformed or does not apply is one error on the line concerned.

import path from 'node:path';
import { CODES, type CodeInfo } from '../diagnostics/codes';
import { findingText, hunkLineRefs, patchLineOf, type ReviewOutcome, type ReviewFinding, type FileReview, type PatchReview } from '../review/index';
import { LineIndex } from '../util/lineIndex';
import { codeHref } from './diagnostics';
import { toRange } from './ranges';
import type { EditorDiagnostic, RelatedInfo, SeverityNumber } from './types';

const SEVERITY: Record<string, SeverityNumber> = { error: 1, warning: 2, info: 3 };

function lineRange(patch: LineIndex, line: number, fromColumn: number) {
  const clamped = Math.max(0, Math.min(line, patch.lineCount - 1));
  const end = patch.lineEndOffset(clamped) - patch.lineStart(clamped);
  return { start: { line: clamped, character: Math.min(fromColumn, end) }, end: { line: clamped, character: end } };
}

function problemDiagnostic(info: CodeInfo, message: string, range: EditorDiagnostic['range']): EditorDiagnostic {
  return { range, severity: 1, code: info.code, codeDescription: { href: codeHref(info.code) }, source: 'lifetime', message };
}

function functionLabel(file: FileReview, finding: ReviewFinding): string {
  if (!finding.function) return '';
  if (file.language === 'c') return ` in ${finding.function}()`;
  return finding.function === 'baseline' ? ' in the baseline' : ` in proposal ${finding.function}`;
}

function findingDiagnostic(patchLines: LineIndex, review: PatchReview, total: number, file: FileReview, finding: ReviewFinding, treeRoot: string): EditorDiagnostic {
  const refs = hunkLineRefs(file.applied);
  const ref = patchLineOf(finding, file.applied, refs, { addedOnly: true });
  const line = ref && review.patch.linesExact ? ref.line.inputLine : (ref?.hunk.inputLine ?? file.applied.file.inputLine);
  const text = findingText(file, finding);
  const fileLines = new LineIndex(text);
  const absolute = path.join(treeRoot, ...file.path.split('/'));
  const d = finding.diagnostic;
  const where = fileLines.positionAt(d.start);
  const side = finding.version === 'after' ? 'after the patch' : 'before the patch';
  const related: RelatedInfo[] = [
    { path: absolute, range: toRange(fileLines, d.start, d.end), message: `${file.path}:${where.line + 1}:${where.character + 1} (${side})` },
    ...(d.related ?? []).map((r) => ({ path: absolute, range: toRange(fileLines, r.start, r.end), message: `${r.message} (${side})` })),
  ];
  const series = total > 1 ? `[${review.patch.number}/${total}] ` : '';
  const what = finding.class === 'introduced' ? 'introduced' : 'fixed';
  return {
    range: lineRange(patchLines, line, 1),
    severity: finding.class === 'introduced' ? (SEVERITY[d.severity] ?? 1) : 3,
    code: d.code,
    codeDescription: { href: codeHref(d.code) },
    source: 'lifetime',
    message: `${series}${what}${functionLabel(file, finding)}, ${file.path}: ${d.message}`,
    relatedInformation: related,
  };
}

/** The diagnostics of a patch document, given the outcome of its review against `treeRoot`. */
export function patchReviewDiagnostics(patchText: string, outcome: ReviewOutcome, treeRoot: string): EditorDiagnostic[] {
  const patchLines = new LineIndex(patchText);
  if (!outcome.ok) {
    return outcome.problems.map((problem) =>
      problemDiagnostic(problem.kind === 'syntax' ? CODES.patchSyntax : CODES.patchApply, problem.message, lineRange(patchLines, problem.inputLine, 0)),
    );
  }
  const out: EditorDiagnostic[] = [];
  const total = outcome.review.patches.length;
  for (const review of outcome.review.patches) {
    for (const file of review.files) {
      for (const finding of file.findings) {
        if (finding.class === 'remaining') continue;
        out.push(findingDiagnostic(patchLines, review, total, file, finding, treeRoot));
      }
    }
  }
  return out;
}
