// The kernel's mechanisms in C bodies: a call whose API table entry is a `model` entry becomes the
// `.lifetime` statement or condition of its template (`queue_work {arg1}`, `put {arg0} locking
// {arg2}`), with the placeholders filled from the call's arguments and parsed by the model's own
// parser. Every node of the result spans the C call, so that traces point at the C.

import type * as Ast from '../syntax/ast';
import { parse } from '../syntax/parser';
import type { ModelApiEntry } from './apiTable';

/** The text each placeholder of a template stands for, or undefined when it cannot be filled. */
export type PlaceholderText = (placeholder: string) => string | undefined;

/** The words that begin a template which is a condition rather than a statement. */
const CONDITION_WORDS = /^(tryget|tryget_live|trylock|try_module_get|wait_for_completion_timeout|percpu_ref_is_zero|completion_done|work_pending|timer_pending|rcu_dereference)\b/;

/** The template with its placeholders filled, or undefined when one cannot be (the name it lacks). */
export function instantiate(entry: ModelApiEntry, fill: PlaceholderText): { text: string } | { missing: string } {
  let missing: string | undefined;
  const text = entry.model.replace(/\{(arg\d|obj\d|fn\d|result)\}/g, (_, placeholder: string) => {
    const value = fill(placeholder);
    if (value === undefined) missing ??= placeholder;
    return value ?? '_';
  });
  return missing === undefined ? { text } : { missing };
}

/** The statement a filled template stands for, spanning `range`; a condition becomes `if C { }`. */
export function templateStatement(text: string, range: Ast.Range): Ast.Statement | undefined {
  if (CONDITION_WORDS.test(text)) {
    const condition = templateCondition(text, range);
    if (!condition) return undefined;
    return { kind: 'IfStatement', condition, then: { kind: 'Block', statements: [], ...range }, ...range };
  }
  const parsed = parse(`thread __c {\n${text}\n}`);
  const body = parsed.file.items[0];
  if (parsed.diagnostics.length > 0 || body?.kind !== 'ThreadDecl' || body.body.kind !== 'Block' || body.body.statements.length !== 1) return undefined;
  return spanning(body.body.statements[0], range);
}

/** The condition a filled template stands for, spanning `range`; undefined for a statement. */
export function templateCondition(text: string, range: Ast.Range): Ast.Expression | undefined {
  const parsed = parse(`thread __c {\nif ${text} { }\n}`);
  const body = parsed.file.items[0];
  if (parsed.diagnostics.length > 0 || body?.kind !== 'ThreadDecl' || body.body.kind !== 'Block') return undefined;
  const statement = body.body.statements[0];
  if (statement?.kind !== 'IfStatement') return undefined;
  return spanning(statement.condition, range);
}

/** The node with every node in it given `range`. */
function spanning<T>(node: T, range: Ast.Range): T {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (typeof record.start === 'number' && typeof record.end === 'number') {
      record.start = range.start;
      record.end = range.end;
    }
    for (const key of Object.keys(record)) if (key !== 'start' && key !== 'end') visit(record[key]);
  };
  visit(node);
  return node;
}
