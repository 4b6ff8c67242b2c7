// Reading C declarators: the name a declarator declares, a function's name and parameters, and
// whether it returns a pointer.

import type { Span } from './cirTypes';
import type { SyntaxNode } from './parser';

export function declaratorName(node: SyntaxNode | null, text: string): string | undefined {
  let current = node;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.type === 'identifier') return text.slice(current.startIndex, current.endIndex);
    const inner = current.childForFieldName('declarator');
    if (!inner) {
      const id = current.namedChildren.find((c) => c !== null && c.type === 'identifier');
      return id ? text.slice(id.startIndex, id.endIndex) : undefined;
    }
    current = inner;
  }
  return undefined;
}

export function parameterNames(declarator: SyntaxNode | null, text: string): string[] {
  let current = declarator;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.type === 'function_declarator') {
      const params = current.childForFieldName('parameters');
      const names: string[] = [];
      if (params) {
        for (const p of params.namedChildren) {
          if (p && p.type === 'parameter_declaration') {
            const name = declaratorName(p.childForFieldName('declarator'), text);
            if (name) names.push(name);
          }
        }
      }
      return names;
    }
    current = current.childForFieldName('declarator');
  }
  return [];
}

export function declaresPointerResult(declarator: SyntaxNode | null): boolean {
  let current = declarator;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.type === 'function_declarator') return false;
    if (current.type === 'pointer_declarator') return true;
    current = current.childForFieldName('declarator');
  }
  return false;
}

export function functionName(declarator: SyntaxNode | null, text: string): { name: string; span: Span } | undefined {
  let current = declarator;
  for (let depth = 0; current && depth < 8; depth++) {
    if (current.type === 'function_declarator') {
      const inner = current.childForFieldName('declarator');
      if (inner && inner.type === 'identifier') return { name: text.slice(inner.startIndex, inner.endIndex), span: { s: inner.startIndex, e: inner.endIndex } };
      current = inner;
      continue;
    }
    current = current.childForFieldName('declarator');
  }
  return undefined;
}

/** The name a `function_definition` node defines. */
export function definedFunctionName(node: SyntaxNode, text: string): string | undefined {
  return functionName(node.childForFieldName('declarator'), text)?.name;
}
