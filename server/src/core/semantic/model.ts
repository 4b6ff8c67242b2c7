// The semantic model: every declaration in a file and every name that refers to one. Editor
// features (hover, go to definition, references, rename, completion) read it; it is plain data
// plus a few lookups, with no dependency on any editor API.

import type { Diagnostic } from '../diagnostics/codes';
import { resized } from '../util/typedArrays';

export type DeclarationKind =
  | 'model'
  | 'module'
  | 'object'
  | 'static'
  | 'member'
  | 'fn'
  | 'param'
  | 'thread'
  | 'device'
  | 'proposal'
  | 'local'
  | 'state-value';

export type MemberKind =
  | 'ref'
  | 'lock'
  | 'flag'
  | 'state'
  | 'int'
  | 'ptr'
  | 'work'
  | 'timer'
  | 'percpu_ref'
  | 'completion'
  | 'srcu'
  | 'workqueue';

export interface Declaration {
  /** Index of the declaration in `SemanticModel.declarations`. */
  id: number;
  name: string;
  kind: DeclarationKind;
  memberKind?: MemberKind;
  /** Range of the declared name. */
  nameStart: number;
  nameEnd: number;
  /** Range of the whole declaration. */
  start: number;
  end: number;
  /** The enclosing declaration: an object for members, a fn for params, a fn or thread for locals. */
  container?: number;
  /** The proposal that declares it; undefined for the baseline. */
  proposal?: string;
  /** For `ptr` members: the object the pointer designates. */
  ptrTarget?: string;
  /** For locals: a handle to an object, or a value (a boolean or an int); unknown until checked. */
  localKind?: 'handle' | 'bool' | 'int';
}

/** A name in the source that refers to a declaration. */
export interface Reference {
  start: number;
  end: number;
  declaration: number;
}

/**
 * The references a check records, as parallel typed arrays: a large file has a name on every other
 * token, and one object per reference would cost more than the rest of the check.
 */
export class ReferenceTable {
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  declarations = new Int32Array(256);
  count = 0;

  add(start: number, end: number, declaration: number): void {
    if (this.count === this.starts.length) this.grow();
    const i = this.count++;
    this.starts[i] = start;
    this.ends[i] = end;
    this.declarations[i] = declaration;
  }

  private grow(): void {
    const size = this.starts.length * 2;
    this.starts = resized(this.starts, size);
    this.ends = resized(this.ends, size);
    this.declarations = resized(this.declarations, size);
  }
}

export interface SemanticResult {
  diagnostics: Diagnostic[];
  model: SemanticModel;
}

export class SemanticModel {
  private referenceObjects: Reference[] | undefined;
  private sortedReferences: Reference[] | undefined;
  private referencesByDeclaration: Map<number, Reference[]> | undefined;

  constructor(
    readonly declarations: Declaration[],
    private readonly referenceTable: ReferenceTable = new ReferenceTable(),
  ) {}

  /** Every reference, in the order the check recorded them; made into objects on first use. */
  get references(): Reference[] {
    if (!this.referenceObjects) {
      const table = this.referenceTable;
      const objects: Reference[] = new Array(table.count);
      for (let i = 0; i < table.count; i++) objects[i] = { start: table.starts[i], end: table.ends[i], declaration: table.declarations[i] };
      this.referenceObjects = objects;
    }
    return this.referenceObjects;
  }

  /**
   * The declaration whose name is at `offset`, or that the reference at `offset` designates. An
   * offset just after a name counts as on it, as an editor cursor at the end of a word does.
   */
  declarationAt(offset: number): Declaration | undefined {
    const reference = this.referenceAt(offset);
    if (reference) return this.declarations[reference.declaration];
    for (const declaration of this.declarations) {
      if (declaration.nameStart <= offset && offset <= declaration.nameEnd && declaration.nameEnd > declaration.nameStart) {
        return declaration;
      }
    }
    return undefined;
  }

  /** The reference whose range contains `offset` (end inclusive), if any. */
  referenceAt(offset: number): Reference | undefined {
    const sorted = this.sorted();
    let low = 0;
    let high = sorted.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (sorted[mid].start <= offset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    // Names never overlap, so only the last reference starting at or before the offset can hold it.
    if (found >= 0 && offset <= sorted[found].end) return sorted[found];
    return undefined;
  }

  /** Every reference to the declaration, in source order (the declaration itself excluded). */
  referencesTo(id: number): Reference[] {
    if (!this.referencesByDeclaration) {
      const byDeclaration = new Map<number, Reference[]>();
      for (const reference of this.sorted()) {
        let list = byDeclaration.get(reference.declaration);
        if (!list) byDeclaration.set(reference.declaration, (list = []));
        list.push(reference);
      }
      this.referencesByDeclaration = byDeclaration;
    }
    return this.referencesByDeclaration.get(id) ?? [];
  }

  /** The members of the object named `objectName`, as the baseline or the given proposal sees it. */
  membersOf(objectName: string, proposal?: string): Declaration[] {
    const owner = this.objectNamed(objectName, proposal);
    if (!owner) return [];
    return this.declarations.filter((declaration) => declaration.kind === 'member' && declaration.container === owner.id);
  }

  /** The object (or static) of that name, as the baseline or the given proposal sees it. */
  objectNamed(name: string, proposal?: string): Declaration | undefined {
    let baseline: Declaration | undefined;
    for (const declaration of this.declarations) {
      if ((declaration.kind !== 'object' && declaration.kind !== 'static') || declaration.name !== name) continue;
      if (proposal !== undefined && declaration.proposal === proposal) return declaration;
      if (declaration.proposal === undefined && !baseline) baseline = declaration;
    }
    return baseline;
  }

  private sorted(): Reference[] {
    if (!this.sortedReferences) {
      this.sortedReferences = [...this.references].sort((a, b) => a.start - b.start || a.end - b.end);
    }
    return this.sortedReferences;
  }
}
