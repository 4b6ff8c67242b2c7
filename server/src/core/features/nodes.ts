// Generic navigation of the syntax tree for editor features: children of any node, the chain of
// nodes around an offset, and the statements of a tree.

import type { Node, NodeBase, SourceFile, Statement } from '../syntax/ast';

function isNode(value: unknown): value is NodeBase {
  return value !== null && typeof value === 'object' && typeof (value as NodeBase).kind === 'string' && typeof (value as NodeBase).start === 'number';
}

/** The child nodes of a node, in source order. Token arrays are not nodes and are skipped. */
export function childrenOf(node: NodeBase): NodeBase[] {
  const children: NodeBase[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'tokens') continue;
    const value = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) children.push(item);
    } else if (isNode(value)) {
      children.push(value);
    }
  }
  return children.sort((a, b) => a.start - b.start);
}

/** Visits every node depth-first in source order; returning false skips a node's children. */
export function walk(node: NodeBase, visit: (node: Node, parent: Node | undefined) => boolean | void, parent?: Node): void {
  if (visit(node as Node, parent) === false) return;
  for (const child of childrenOf(node)) walk(child, visit, node as Node);
}

/** The nodes containing `offset`, outermost first (end inclusive, so a cursor after a word counts). */
export function nodePath(file: SourceFile, offset: number): Node[] {
  const path: Node[] = [file];
  let current: NodeBase = file;
  for (;;) {
    const next: NodeBase | undefined = childrenOf(current).find((child) => child.start <= offset && offset <= child.end && child.kind !== 'Error');
    if (!next) return path;
    path.push(next as Node);
    current = next;
  }
}

const STATEMENT_KINDS = new Set([
  'RefStatement', 'LockStatement', 'UseStatement', 'LifecycleStatement', 'DeviceStatement', 'AssignStatement', 'StepStatement',
  'WaitStatement', 'AssertStatement', 'IfStatement', 'WhileStatement', 'RepeatStatement', 'ChooseStatement', 'AtomicStatement',
  'LetStatement', 'CallStatement', 'ReturnStatement',
]);

export function isStatement(node: NodeBase): node is Statement {
  return STATEMENT_KINDS.has(node.kind);
}

/** The innermost statement around `offset`, if any. */
export function statementAt(file: SourceFile, offset: number): Statement | undefined {
  const path = nodePath(file, offset);
  for (let i = path.length - 1; i >= 0; i--) if (isStatement(path[i])) return path[i] as Statement;
  return undefined;
}

/** Statements whose range is exactly [start, end), e.g. the step of an engine trace. */
export function statementSpanning(file: SourceFile, start: number, end: number): Statement | undefined {
  let found: Statement | undefined;
  walk(file, (node) => {
    if (node.end < start || node.start > end) return false;
    if (isStatement(node) && node.start === start && node.end === end) found = node;
    return undefined;
  });
  return found;
}

/** The text of the line containing `offset` up to the first non-blank character. */
export function indentationAt(text: string, offset: number): string {
  let lineStart = offset;
  while (lineStart > 0 && text[lineStart - 1] !== '\n' && text[lineStart - 1] !== '\r') lineStart--;
  let end = lineStart;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return text.slice(lineStart, end);
}
