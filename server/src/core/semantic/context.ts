// The checker's shared state: the declarations and references it builds, and the diagnostics it
// reports, each reported once even when several views (baseline and proposals) find it.

import { makeDiagnostic, type CodeInfo, type Diagnostic, type RelatedInformation } from '../diagnostics/codes';
import type { Identifier } from '../syntax/ast';
import type { Declaration } from './model';

export class CheckContext {
  readonly declarations: Declaration[] = [];
  readonly references: { start: number; end: number; declaration: number }[] = [];
  readonly diagnostics: Diagnostic[] = [];
  /** How many references each declaration has. */
  readonly referenceCounts: number[] = [];
  /** The declaration referenced at each name start; a name rarely refers to more than one. */
  private readonly referenceAtStart = new Map<number, number>();
  private readonly extraReferenceKeys = new Set<string>();
  private readonly diagnosticKeys = new Set<string>();
  /**
   * Set while re-checking baseline items inside a proposal's view: a diagnostic the baseline did not
   * already give is reported with this suffix, so the reader knows which proposal it concerns.
   */
  viewSuffix: string | undefined;
  /** Declarations already reported as duplicates; an unused warning on them would say nothing new. */
  readonly duplicates = new Set<number>();

  constructor(readonly text: string) {}

  declare(declaration: Omit<Declaration, 'id'>): number {
    const id = this.declarations.length;
    (declaration as Declaration).id = id;
    this.declarations.push(declaration as Declaration);
    this.referenceCounts.push(0);
    return id;
  }

  reference(name: Identifier, declaration: number): void {
    if (name.missing || name.end <= name.start) return;
    const first = this.referenceAtStart.get(name.start);
    if (first === declaration) return;
    if (first === undefined) {
      this.referenceAtStart.set(name.start, declaration);
    } else {
      const key = `${name.start}:${declaration}`;
      if (this.extraReferenceKeys.has(key)) return;
      this.extraReferenceKeys.add(key);
    }
    this.references.push({ start: name.start, end: name.end, declaration });
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
    const text = this.text.slice(range.start, range.end).replace(/\s+/g, ' ');
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
}
