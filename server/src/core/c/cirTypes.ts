// The intermediate form of one C function (cir.ts builds it): expressions, the nodes of its
// control-flow graph, and what the analysis knows of the function as a whole.

import type { ControlMacros } from './controlMacros';

export interface Span {
  s: number;
  e: number;
}

export type Expr =
  | (Span & { k: 'id'; name: string })
  | (Span & { k: 'num'; value: number })
  | (Span & { k: 'null' })
  | (Span & { k: 'call'; callee: string; args: Expr[] })
  | (Span & { k: 'field'; base: Expr; name: string; arrow: boolean })
  | (Span & { k: 'index'; base: Expr; index: Expr })
  | (Span & { k: 'unary'; op: string; arg: Expr })
  | (Span & { k: 'bin'; op: string; left: Expr; right: Expr })
  | (Span & { k: 'assign'; op: string; left: Expr; right: Expr })
  | (Span & { k: 'cond'; test: Expr; then: Expr; other: Expr })
  | (Span & { k: 'cast'; arg: Expr })
  | (Span & { k: 'other'; kids: Expr[] });

export type CfgNode =
  | { k: 'eval'; expr: Expr; next: number }
  | (Span & { k: 'decl'; name: string; init?: Expr; scoped: boolean; next: number })
  | { k: 'branch'; cond: Expr; t: number; f: number }
  | { k: 'choice'; key: string; targets: number[]; switchOn?: SwitchLabels }
  | (Span & { k: 'return'; expr?: Expr; stmt: StatementPlace })
  | (Span & { k: 'goto'; label: string; stmt: StatementPlace; next: number })
  | { k: 'iter'; call: Expr & { k: 'call' }; loopVar: string; body: number; exit: number }
  | { k: 'reassign'; names: string[]; next: number; /** Where the loop macro starts. */ at: number }
  | { k: 'nop'; next: number }
  /** The path ends: a macro that does not return (`LBUG()`). */
  | { k: 'stop' };

/**
 * A switch on a local or a parameter whose case labels are all named constants or integers: for
 * each target of its choice, the label that selects it, or `default` (also for the exit of a switch
 * with no default).
 */
export interface SwitchLabels {
  subject: string;
  labels: (string | 'default')[];
}

/** Where a statement sits, for quick fixes that insert before it. */
export interface StatementPlace extends Span {
  /** True when the statement is the unbraced body of an if, else, for, while or do. */
  unbraced: boolean;
  /** Offset of the start of the statement that owns an unbraced body (the `if`). */
  ownerStart: number;
}

export interface LabelInfo extends Span {
  name: string;
  /** Offset of the enclosing compound statement and the label's index in it. */
  block: number;
  index: number;
}

export interface CFunction extends Span {
  name: string;
  nameSpan: Span;
  bodyStart: number;
  nodes: CfgNode[];
  entry: number;
  params: string[];
  /** The function returns a pointer: a returned value is an error only when it is NULL or an ERR_PTR. */
  returnsPointer: boolean;
  locals: Set<string>;
  scopedLocals: Set<string>;
  labels: LabelInfo[];
  /** Every call in the function, in source order. */
  calls: (Expr & { k: 'call' })[];
  /** Statement-level jumps (goto, return) with their enclosing block, for unwind-label fixes. */
  jumps: { s: number; block: number }[];
  /** The loop statements (`for`, `while`, `do`, iterator macros), outermost and innermost alike. */
  loops: Span[];
  /** A pasted statement list wrapped in a function: undeclared names count as locals. */
  fragment: boolean;
  /** How many ERROR or MISSING nodes the grammar produced inside the function. */
  errorCount: number;
  firstError?: Span;
}

export interface BuildOptions {
  /** Offsets of `__free(...)` annotations in the text. */
  freeAnnotations: number[];
  /** Names of loop macros whose loop variable holds a reference (from the API table). */
  isLoopMacro: (name: string) => boolean;
  /** Macros that open a plain block: `scoped_guard(...) { }`. */
  isBlockMacro: (name: string) => boolean;
  text: string;
  /** Offsets in the parsed text minus `delta` are offsets in the user's text. */
  delta: number;
  /** Macros that jump, return or stop (`GOTO(out, rc)`, `RETURN(rc)`), read from their definitions. */
  controlMacros?: ControlMacros;
  /** The file's integer macros (`#define SENDER_COMPACTS_BVECS 0`): `#if NAME` on one of them keeps one arm. */
  constants?: ReadonlyMap<string, number>;
}
