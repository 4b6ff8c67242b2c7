// Generic traversal of the syntax tree: the children of any node in source order, the chain of
// nodes at an offset, and the token at an offset. Hover, completion and rename build on these.

import type { Node, SourceFile } from './ast';
import { TokenKind, type Token } from './tokens';

/**
 * Calls `visit` on each child node of `node` in source order and stops at the first child for which
 * `visit` returns a value other than `undefined`, returning that value. Error nodes have no child
 * nodes (only tokens).
 */
export function forEachChild<T>(node: Node, visit: (child: Node) => T | undefined): T | undefined {
  let result: T | undefined;
  const each = (child: Node | undefined): boolean => {
    if (child === undefined) return false;
    result = visit(child);
    return result !== undefined;
  };
  const all = (children: readonly Node[]): boolean => {
    for (const child of children) if (each(child)) return true;
    return false;
  };

  switch (node.kind) {
    case 'SourceFile':
      all(node.items);
      break;
    case 'ModelDecl':
      each(node.name) || each(node.title);
      break;
    case 'ModuleDecl':
      each(node.name);
      break;
    case 'ObjectDecl':
      each(node.name) || each(node.module) || all(node.members);
      break;
    case 'HandlerMember':
      each(node.name) || each(node.workqueue) || each(node.module) || each(node.body);
      break;
    case 'PercpuRefMember':
      onZeroFirst(node) ? each(node.name) || each(node.onZero) || each(node.onConfirm) : each(node.name) || each(node.onConfirm) || each(node.onZero);
      break;
    case 'SyncMember':
      each(node.name);
      break;
    case 'RefMember':
      each(node.name) || each(node.initial) || each(node.onZero);
      break;
    case 'LockMember':
      each(node.name);
      break;
    case 'FlagMember':
      each(node.name) || each(node.initial);
      break;
    case 'StateMember':
      each(node.name) || all(node.values) || each(node.initial);
      break;
    case 'IntMember':
      each(node.name) || each(node.initial) || each(node.rangeLow) || each(node.rangeHigh);
      break;
    case 'PtrMember':
      each(node.name) || each(node.target) || each(node.initial);
      break;
    case 'FnDecl':
      each(node.name) || all(node.params) || each(node.module) || each(node.body);
      break;
    case 'ThreadDecl':
      each(node.name) || each(node.count) || each(node.body);
      break;
    case 'DeviceDecl':
      each(node.name) || all(node.targets);
      break;
    case 'DmaTarget':
      each(node.target);
      break;
    case 'ProposalDecl':
      each(node.name) || each(node.title) || all(node.items);
      break;
    case 'RemoveDecl':
      each(node.name);
      break;
    case 'ExpectDecl':
      each(node.proposal) || all(node.outcomes);
      break;
    case 'OrderDecl':
      each(node.first) || each(node.second) || each(node.message);
      break;
    case 'EventPattern':
      each(node.target);
      break;
    case 'BindDecl':
      each(node.cExpr) || each(node.target);
      break;
    case 'Block':
      all(node.statements);
      break;
    case 'RefStatement':
      each(node.target) || each(node.locking);
      break;
    case 'MechanismStatement':
    case 'RcuDereference':
      each(node.target);
      break;
    case 'CallbackStatement':
      each(node.domain) || each(node.call);
      break;
    case 'UnloadStatement':
      each(node.module) || each(node.body);
      break;
    case 'CallExpression':
      each(node.call);
      break;
    case 'LockedPutExpression':
      each(node.target) || each(node.lock);
      break;
    case 'LockStatement':
    case 'UseStatement':
    case 'LifecycleStatement':
    case 'DeviceStatement':
    case 'StepStatement':
    case 'TryExpression':
    case 'PredicateExpression':
      each(node.target);
      break;
    case 'AssignStatement':
      each(node.target) || each(node.value);
      break;
    case 'WaitStatement':
      each(node.condition);
      break;
    case 'AssertStatement':
      each(node.condition) || each(node.message);
      break;
    case 'IfStatement':
      each(node.condition) || each(node.then) || each(node.else);
      break;
    case 'WhileStatement':
      each(node.condition) || each(node.body);
      break;
    case 'RepeatStatement':
      each(node.count) || each(node.body);
      break;
    case 'ChooseStatement':
      all(node.branches);
      break;
    case 'AtomicStatement':
      each(node.body);
      break;
    case 'LetStatement':
      each(node.name) || each(node.value) || each(node.rangeLow) || each(node.rangeHigh);
      break;
    case 'ReturnStatement':
      each(node.value);
      break;
    case 'CallStatement':
      each(node.callee) || all(node.args);
      break;
    case 'Place':
      all(node.segments);
      break;
    case 'UnaryExpression':
      each(node.operand);
      break;
    case 'BinaryExpression':
      each(node.left) || each(node.right);
      break;
    case 'ParenExpression':
      each(node.inner);
      break;
    case 'Error':
    case 'Identifier':
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BoolLiteral':
    case 'NullLiteral':
    case 'MissingExpression':
    case 'CBody':
      break;
    default:
      assertNever(node);
  }
  return result;
}

/** Whether a percpu_ref member's `on zero` clause comes before its `on confirm` clause. */
function onZeroFirst(node: { onZero?: { start: number }; onConfirm?: { start: number } }): boolean {
  return !node.onConfirm || !node.onZero || node.onZero.start < node.onConfirm.start;
}

function assertNever(node: never): void {
  void node;
}

/** The children of `node` as an array, in source order. */
export function childrenOf(node: Node): Node[] {
  const children: Node[] = [];
  forEachChild(node, (child) => {
    children.push(child);
    return undefined;
  });
  return children;
}

/**
 * The nodes that contain `offset`, from the file down to the innermost. A node contains an offset
 * when `start <= offset < end`; where no child contains it that way, a child that ends exactly at
 * the offset (the word just typed, a zero-width missing name) is taken instead.
 */
export function nodePathAt(file: SourceFile, offset: number): Node[] {
  const path: Node[] = [file];
  let node: Node = file;
  for (;;) {
    let inside: Node | undefined;
    let touching: Node | undefined;
    forEachChild(node, (child) => {
      if (child.start <= offset && offset < child.end) {
        inside = child;
        return true;
      }
      if (child.end === offset && child.start <= offset) touching = child;
      if (child.start > offset) return true;
      return undefined;
    });
    const next = inside ?? touching;
    if (next === undefined) return path;
    path.push(next);
    node = next;
  }
}

/** The innermost node at `offset` (the file itself when nothing narrower contains it). */
export function nodeAt(file: SourceFile, offset: number): Node {
  const path = nodePathAt(file, offset);
  return path[path.length - 1];
}

/**
 * The token containing `offset` (`start <= offset < end`), trivia included; at the end of the
 * text, the EOF token.
 */
export function tokenAt(file: SourceFile, offset: number): Token {
  const tokens = file.tokens;
  let low = 0;
  let high = tokens.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (tokens[mid].start <= offset) low = mid;
    else high = mid - 1;
  }
  return tokens[low];
}

/**
 * The last significant (non-trivia) token that ends at or before `offset`: what the user has just
 * typed, for completion. Undefined at the start of the file.
 */
export function significantTokenBefore(file: SourceFile, offset: number): Token | undefined {
  const tokens = file.tokens;
  let low = 0;
  let high = tokens.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (tokens[mid].start < offset) low = mid;
    else high = mid - 1;
  }
  for (let i = low; i >= 0; i--) {
    const token = tokens[i];
    if (token.start >= offset) continue;
    if (
      token.kind !== TokenKind.Whitespace &&
      token.kind !== TokenKind.LineComment &&
      token.kind !== TokenKind.BlockComment &&
      token.kind !== TokenKind.EOF
    ) {
      return token;
    }
  }
  return undefined;
}
