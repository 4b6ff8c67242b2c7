// `lifetime review --format email`: for each patch with something to say, a plain-text reply as
// reviewers write them on the list. It quotes the patch with `> `, trimmed to the hunk lines that
// lead up to each finding, and puts the finding, with its path and line, under the line it
// concerns. Patches with no finding get no reply.

import { hunkLineRefs, patchLineOf, type HunkLineRef, type SeriesReview } from '../../core/review/index';
import { laterFixes, locateFindings, type LocatedFinding } from './located';

/** Lines of a hunk quoted before the line a finding concerns; earlier ones are cut as `[...]`. */
const QUOTED_CONTEXT = 6;

function what(located: LocatedFinding): string {
  const kind = located.finding.diagnostic.kind;
  const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
  return `${article} ${kind} (${located.finding.diagnostic.code})`;
}

function inFunction(located: LocatedFinding): string {
  const fn = located.finding.function;
  if (!fn) return '';
  return located.file.language === 'c' ? ` in ${fn}()` : ` in ${fn === 'baseline' ? 'the baseline' : `proposal ${fn}`}`;
}

function paragraph(located: LocatedFinding, fixedLater: LocatedFinding | undefined, total: number): string {
  const place = `${located.file.path}:${located.line}`;
  const message = located.finding.diagnostic.message;
  switch (located.finding.class) {
    case 'introduced': {
      const later = fixedLater
        ? `\n\n[${fixedLater.patch.patch.number}/${total}] fixes this again later in the series; please fold that fix into this patch, so that every step of the series is free of it.`
        : '';
      return `This introduces ${what(located)}${inFunction(located)}, ${place}:\n${message}${later}`;
    }
    case 'fixed':
      return `This fixes ${what(located)}${inFunction(located)}, ${place} before the patch:\n${message}`;
    default:
      return `Not new with this patch, but still there${inFunction(located)}, ${place}:\n${message}`;
  }
}

function quote(ref: HunkLineRef): string {
  return `> ${ref.line.kind}${ref.line.text}`.trimEnd();
}

function attribution(from: string | undefined, date: string | undefined): string {
  if (from && date) return `On ${date}, ${from} wrote:`;
  if (from) return `${from} wrote:`;
  return 'The patch reads:';
}

function fileSection(findings: LocatedFinding[], fixes: Map<LocatedFinding, LocatedFinding>, total: number): string[] {
  const file = findings[0].file;
  const refs = hunkLineRefs(file.applied);
  const placed = findings.map((located) => ({ located, ref: patchLineOf(located.finding, file.applied, refs) }));
  placed.sort((a, b) => (a.ref ? refs.indexOf(a.ref) : Infinity) - (b.ref ? refs.indexOf(b.ref) : Infinity));
  const out: string[] = file.applied.file.headerLines.map((line) => `> ${line}`.trimEnd());
  let quotedUpTo = -1;
  let lastHunk: HunkLineRef['hunk'] | undefined;
  for (const { located, ref } of placed) {
    if (ref) {
      const at = refs.indexOf(ref);
      if (ref.hunk !== lastHunk) {
        if (lastHunk) out.push('> [...]');
        out.push(`> ${ref.hunk.header}`);
        lastHunk = ref.hunk;
        quotedUpTo = refs.findIndex((r) => r.hunk === ref.hunk) - 1;
      }
      if (at > quotedUpTo) {
        const from = Math.max(quotedUpTo + 1, at - QUOTED_CONTEXT);
        if (from > quotedUpTo + 1) out.push('> [...]');
        for (let k = from; k <= at; k++) out.push(quote(refs[k]));
        quotedUpTo = at;
      }
    }
    out.push('', paragraph(located, fixes.get(located), total), '');
  }
  if (quotedUpTo < refs.length - 1 && lastHunk) out.push('> [...]');
  return out;
}

export function formatReviewEmail(review: SeriesReview): string {
  const located = locateFindings(review);
  const fixes = laterFixes(located);
  const total = review.patches.length;
  const replies: string[] = [];
  for (const patch of review.patches) {
    const mine = located.filter((l) => l.patch === patch);
    if (mine.length === 0) continue;
    const p = patch.patch;
    const subject = p.rawSubject ?? (total > 1 ? `[${p.number}/${total}] ${p.subject}` : p.subject);
    const headers = [`Subject: Re: ${subject.replace(/^\s*re:\s*/i, '')}`];
    if (p.messageId) headers.push(`In-Reply-To: ${p.messageId}`, `References: ${p.messageId}`);
    const body = [attribution(p.from, p.date)];
    const byFile = new Map<string, LocatedFinding[]>();
    for (const finding of mine) {
      const list = byFile.get(finding.file.path);
      if (list) list.push(finding);
      else byFile.set(finding.file.path, [finding]);
    }
    for (const findings of byFile.values()) body.push(...fileSection(findings, fixes, total));
    const count = (cls: string) => mine.filter((l) => l.finding.class === cls).length;
    body.push('', `-- `, `lifetime review: ${count('introduced')} introduced, ${count('fixed')} fixed, ${count('remaining')} remaining`);
    replies.push(`${headers.join('\n')}\n\n${body.join('\n').replace(/\n{3,}/g, '\n\n')}\n`);
  }
  return replies.join('\n');
}
