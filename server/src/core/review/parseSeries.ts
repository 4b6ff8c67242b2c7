// Turns the text of a patch input into a series: the mails of an mbox or `.eml` file in order (the
// cover letter set apart), or one plain diff. Never throws; what is wrong is a problem with its line.

import { isMboxStart, readMessage, splitInputLines, splitMbox, splitSubject, startsWithMailHeaders, type MailMessage } from './mail';
import type { ParsedSeries, Patch, PatchProblem } from './patch';
import { looksLikeDiff, parseDiff } from './parseDiff';

function patchFromMessage(message: MailMessage, number: number, problems: PatchProblem[]): Patch | 'cover' | undefined {
  const subjectParts = splitSubject(message.headers.subject ?? '');
  if (!looksLikeDiff(message.body.lines)) return subjectParts.number === 0 && !subjectParts.reply ? 'cover' : undefined;
  const parsed = parseDiff({ lines: message.body.lines, inputLine: (i) => message.body.inputLines[i] ?? message.inputLine });
  const subject = subjectParts.subject || `message at line ${message.inputLine + 1}`;
  for (const problem of parsed.problems) problems.push({ message: `patch ${number} "${subject}": ${problem.message}`, inputLine: problem.inputLine });
  return {
    number,
    subject,
    rawSubject: message.headers.subject,
    from: message.headers.from,
    date: message.headers.date,
    messageId: message.headers.messageId,
    files: parsed.files,
    inputLine: message.inputLine,
    linesExact: message.body.exact,
  };
}

/**
 * Parses patch text. `name` titles a plain diff (it has no subject), e.g. the file it was read from.
 * A series without any diff has one problem saying the input is not a patch.
 */
export function parseSeries(text: string, name: string): ParsedSeries {
  const lines = splitInputLines(text);
  const series: ParsedSeries = { patches: [], problems: [] };
  const firstLine = lines.findIndex((line) => line !== '');
  const mbox = firstLine >= 0 && isMboxStart(lines, firstLine);
  if (mbox || startsWithMailHeaders(lines)) {
    const ranges = mbox ? splitMbox(lines) : [{ start: 0, end: lines.length }];
    for (const range of ranges) {
      const message = readMessage(lines, range.start, range.end, mbox);
      const patch = patchFromMessage(message, series.patches.length + 1, series.problems);
      if (patch === 'cover') {
        if (!series.coverLetter) series.coverLetter = { subject: splitSubject(message.headers.subject ?? '').subject, inputLine: message.inputLine };
      } else if (patch) {
        series.patches.push(patch);
      }
    }
  } else if (looksLikeDiff(lines)) {
    const parsed = parseDiff({ lines, inputLine: (i) => i });
    series.problems.push(...parsed.problems);
    series.patches.push({ number: 1, subject: name, files: parsed.files, inputLine: 0, linesExact: true });
  }
  if (series.patches.length === 0 && series.problems.length === 0) {
    series.problems.push({
      message: mbox || startsWithMailHeaders(lines) ? 'no mail in it holds a diff, so there is nothing to review' : 'not a patch: no unified diff (a `--- a/FILE` and `+++ b/FILE` header followed by `@@` hunks, or `diff --git`) in it',
      inputLine: 0,
    });
  }
  return series;
}
