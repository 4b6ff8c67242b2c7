// Mutants for the mutation test: in a kernel function, delete one release that sits on an error path
// and releases something the same function acquired.

import type { ApiTable } from '../../server/src/core/c/apiTable';
import type { CParser, SyntaxNode } from '../../server/src/core/c/parser';

export interface KernelFunction {
  name: string;
  text: string;
  lines: number;
}

export interface Mutant {
  function: string;
  /** The function's text with the release statement blanked out. */
  text: string;
  /** 1-based line of the deleted release within the function. */
  line: number;
  /** Offset of the deleted release call in the function's text. */
  offset: number;
  release: string;
}

/** Top-level function definitions of a file, each as standalone text. */
export function kernelFunctions(parser: CParser, text: string): KernelFunction[] {
  const tree = parser.parse(text);
  const out: KernelFunction[] = [];
  try {
    for (const node of tree.rootNode.namedChildren) {
      if (!node || node.type !== 'function_definition') continue;
      const declarator = node.childForFieldName('declarator');
      const name = declarator ? /([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(text.slice(declarator.startIndex, declarator.endIndex))?.[1] ?? '?' : '?';
      const body = text.slice(node.startIndex, node.endIndex);
      out.push({ name, text: body, lines: body.split('\n').length });
    }
  } finally {
    tree.delete();
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function normalise(text: string): string {
  return text.replace(/\s+/g, '').replace(/^\(([^()]*)\)$/, '$1').replace(/^&/, '');
}

/** Whether the function acquires `key` with an API of one of `families`. */
function acquiresInFunction(text: string, key: string, families: string[], table: ApiTable): boolean {
  const acquirers = [...table.byName.values()].filter((e) => (e.effect === 'acquire' || e.effect === 'iterator') && e.families.some((f) => families.includes(f)));
  for (const api of acquirers) {
    const name = escapeRegExp(api.name);
    if (api.effect === 'acquire' && api.object === 'return') {
      // An object stored straight into a structure stays reachable from it: no leak to see.
      if (/->|\.|\[/.test(key)) continue;
      if (new RegExp(`(^|[^A-Za-z0-9_>.])${escapeRegExp(key)}\\s*=\\s*(\\([^;()]*\\)\\s*)?${name}\\s*\\(`).test(text)) return true;
      continue;
    }
    const index = api.effect === 'iterator' ? api.loopVar : api.object;
    if (typeof index !== 'number' && api.object !== 'none') continue;
    const calls = text.matchAll(new RegExp(`\\b${name}\\s*\\(([^;]*)\\)`, 'g'));
    for (const call of calls) {
      if (api.object === 'none' && api.effect === 'acquire') return true;
      const args = splitArgs(call[1]);
      if (typeof index === 'number' && args[index] !== undefined && normalise(args[index]) === key) return true;
    }
  }
  return false;
}

function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      args.push(current);
      current = '';
    } else current += ch;
  }
  args.push(current);
  return args;
}

function isErrorExit(node: SyntaxNode, text: string): boolean {
  if (node.type === 'goto_statement') return true;
  if (node.type !== 'return_statement') return false;
  const value = text.slice(node.startIndex, node.endIndex).replace(/^return\s*/, '').replace(/;$/, '').trim();
  return /^(-\s*E[A-Z0-9]+|ERR_PTR\(|NULL$|false$|-1$|(ret|err|rc|error|retval|status|rv|res|result)$)/.test(value);
}

/** Whether a statement is on an error path: an error exit follows it in its block, or it is in an unwind ladder. */
function onErrorPath(statement: SyntaxNode, text: string): boolean {
  const parent = statement.parent;
  if (!parent) return false;
  if (parent.type === 'labeled_statement') return true;
  if (parent.type !== 'compound_statement') return false;
  let after = false;
  let labelBefore = false;
  for (const sibling of parent.namedChildren) {
    if (!sibling) continue;
    if (sibling.startIndex === statement.startIndex) {
      after = true;
      continue;
    }
    if (!after && sibling.type === 'labeled_statement') labelBefore = true;
    if (after && isErrorExit(sibling, text)) return true;
    if (after && sibling.type === 'labeled_statement') break;
  }
  return labelBefore && parent.parent?.type === 'function_definition';
}

/** Every mutant of one function. */
export function mutantsOf(parser: CParser, fn: KernelFunction, table: ApiTable): Mutant[] {
  const tree = parser.parse(fn.text);
  const mutants: Mutant[] = [];
  try {
    const visit = (node: SyntaxNode): void => {
      if (node.type === 'expression_statement') {
        const call = node.namedChildren.find((c) => c !== null && c.type === 'call_expression');
        const callee = call?.childForFieldName('function');
        const entry = callee ? table.byName.get(fn.text.slice(callee.startIndex, callee.endIndex)) : undefined;
        const args = call?.childForFieldName('arguments');
        if (entry && entry.effect === 'release' && args && onErrorPath(node, fn.text)) {
          const argNodes = args.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment');
          const object = typeof entry.object === 'number' ? argNodes[entry.object] : undefined;
          const key = entry.object === 'none' ? '' : object ? normalise(fn.text.slice(object.startIndex, object.endIndex)) : undefined;
          if (key !== undefined && acquiresInFunction(fn.text, key, entry.families, table)) {
            const blanked = fn.text.slice(0, node.startIndex) + fn.text.slice(node.startIndex, node.endIndex).replace(/[^\n]/g, ' ') + fn.text.slice(node.endIndex);
            mutants.push({ function: fn.name, text: blanked, line: fn.text.slice(0, node.startIndex).split('\n').length, offset: call ? call.startIndex : node.startIndex, release: entry.name });
          }
        }
        return;
      }
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(tree.rootNode);
  } finally {
    tree.delete();
  }
  return mutants;
}
