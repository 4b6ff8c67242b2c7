// The findings on unmutated kernel code that were judged to be true bugs (test/c/judged-findings.json):
// matching findings against them, so that the mutation test can count false positives apart from
// real bugs, and reporting entries that no longer match anything.

import * as fs from 'fs';
import * as path from 'path';
import type { CFinding } from '../../server/src/core/c/findings';

export interface JudgedFinding {
  path: string;
  function: string;
  kind: CFinding['kind'];
  /** Text that must appear in the finding's message. */
  subject: string;
  /** The 6.1 line of the acquire, only to tell apart findings that share everything else. */
  acquiredNear?: number;
  reason: string;
}

const JUDGED_FILE = path.join(process.cwd(), 'test/c/judged-findings.json');
const NEAR_LINES = 25;

export function loadJudgedFindings(file = JUDGED_FILE): JudgedFinding[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { truePositives: JudgedFinding[] };
  return parsed.truePositives;
}

function acquireLines(message: string): number[] {
  return [...message.matchAll(/at line (\d+)/g)].map((m) => Number(m[1]));
}

function matches(entry: JudgedFinding, file: string, finding: CFinding): boolean {
  if (entry.path !== file || entry.function !== finding.function || entry.kind !== finding.kind) return false;
  if (!finding.message.includes(entry.subject)) return false;
  if (entry.acquiredNear === undefined) return true;
  const near = entry.acquiredNear;
  return acquireLines(finding.message).some((line) => Math.abs(line - near) <= NEAR_LINES);
}

/** Sorts findings into judged true positives and the rest, remembering which entries were used. */
export class FindingJudge {
  private readonly used = new Set<JudgedFinding>();

  constructor(private readonly entries: JudgedFinding[]) {}

  isJudgedTrue(file: string, finding: CFinding): boolean {
    const entry = this.entries.find((e) => matches(e, file, finding));
    if (!entry) return false;
    this.used.add(entry);
    return true;
  }

  /** Entries that matched no finding: the code or the analysis changed and the list needs a look. */
  staleEntries(): JudgedFinding[] {
    return this.entries.filter((e) => !this.used.has(e));
  }
}

export function describeJudged(entry: JudgedFinding): string {
  return `${entry.path} ${entry.function}: ${entry.kind}: ${entry.subject}`;
}
