// The checker's shared state: the declarations and references it builds, and the diagnostics it
// reports, each reported once even when several views (baseline and proposals) find it.

import { makeDiagnostic, type CodeInfo, type Diagnostic, type RelatedInformation } from '../diagnostics/codes';
import type { Identifier, Range } from '../syntax/ast';
import { ReferenceTable, type Declaration, type DeclarationKind, type MemberKind } from './model';

const WHITE_SPACE = /\s/;

export class CheckContext {
  readonly declarations: Declaration[] = [];
  readonly references = new ReferenceTable();
  readonly diagnostics: Diagnostic[] = [];
  /** How many references each declaration has. */
  readonly referenceCounts: number[] = [];
  /**
   * The first declaration referenced by the name starting at each offset, plus one (0: none yet); a
   * name rarely refers to more than one, and the others are kept in `extraReferenceKeys`.
   */
  private readonly referenceAtStart: Int32Array;
  private readonly extraReferenceKeys = new Set<string>();
  private readonly diagnosticKeys = new Set<string>();
  /**
   * Set while re-checking baseline items inside a proposal's view: a diagnostic the baseline did not
   * already give is reported with this suffix, so the reader knows which proposal it concerns.
   */
  viewSuffix: string | undefined;
  /** Declarations already reported as duplicates; an unused warning on them would say nothing new. */
  readonly duplicates = new Set<number>();

  constructor(readonly text: string) {
    this.referenceAtStart = new Int32Array(text.length + 1);
  }

  /**
   * Declares `name` of `kind`, written at `nameRange` in a declaration spanning `range`, and returns
   * its id. Every declaration gets the same shape, so that the code reading them stays fast.
   */
  declare(
    name: string,
    kind: DeclarationKind,
    nameRange: Range,
    range: Range,
    container: number | undefined,
    proposal: string | undefined,
    memberKind?: MemberKind,
    ptrTarget?: string,
  ): number {
    const id = this.declarations.length;
    this.declarations.push({
      id,
      name,
      kind,
      memberKind,
      nameStart: nameRange.start,
      nameEnd: nameRange.end,
      start: range.start,
      end: range.end,
      container,
      proposal,
      ptrTarget,
    });
    this.referenceCounts.push(0);
    return id;
  }

  reference(name: Identifier, declaration: number): void {
    if (name.missing || name.end <= name.start || name.start >= this.referenceAtStart.length) return;
    const first = this.referenceAtStart[name.start] - 1;
    if (first === declaration) return;
    if (first < 0) {
      this.referenceAtStart[name.start] = declaration + 1;
    } else {
      const key = `${name.start}:${declaration}`;
      if (this.extraReferenceKeys.has(key)) return;
      this.extraReferenceKeys.add(key);
    }
    this.references.add(name.start, name.end, declaration);
    this.referenceCounts[declaration]++;
  }

  report(info: CodeInfo, message: string, start: number, end: number, related?: RelatedInformation[]): void {
    const key = `${info.code}:${start}:${end}:${message}`;
    if (this.diagnosticKeys.has(key)) return;
    this.diagnosticKeys.add(key);
    const shown = this.viewSuffix ? `${message}${this.viewSuffix}` : message;
    if (this.viewSuffix) {
      const shownKey = `${info.code}:${start}:${end}:${shown}`;
      if (this.diagnosticKeys.has(shownKey)) return;
      this.diagnosticKeys.add(shownKey);
    }
    this.diagnostics.push(makeDiagnostic(info, shown, start, end, related));
  }

  /** A place in the text as written, for messages: `mm.users`. */
  textOf(range: { start: number; end: number }): string {
    const slice = this.text.slice(range.start, range.end);
    if (slice.length <= 60 && !WHITE_SPACE.test(slice)) return slice;
    const text = slice.replace(/\s+/g, ' ');
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
}
