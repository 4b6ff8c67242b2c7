// Finding the syntax node of a semantic declaration, and describing declarations in words.

import type { Declaration } from '../semantic/model';
import type { Member, Node, ObjectDecl, SourceFile } from '../syntax/ast';
import { walk } from './nodes';
import { codeSpan } from './markdown';

/** The node whose range is the declaration's range (the object, member, fn, ... itself). */
export function declarationNode(file: SourceFile, declaration: Declaration): Node | undefined {
  let found: Node | undefined;
  walk(file, (node) => {
    if (found || node.end < declaration.start || node.start > declaration.end) return false;
    if (node.start === declaration.start && node.end === declaration.end && node.kind !== 'Identifier' && node.kind !== 'SourceFile') found = node;
    return undefined;
  });
  return found;
}

/** Source text of a node, on one line, shortened. */
export function snippet(text: string, start: number, end: number, limit = 80): string {
  const flat = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return flat.length > limit ? flat.slice(0, limit - 1) + '…' : flat;
}

/** `users = 1, on zero: free mm` style description of one member. */
export function describeMember(text: string, member: Member): string {
  switch (member.kind) {
    case 'RefMember': {
      const initial = member.initial?.value ?? 1;
      const onZero = member.onZero ? `; at zero: ${codeSpan(snippet(text, member.onZero.start, member.onZero.end, 60))}` : '';
      return `ref \`${member.name.text}\` = ${initial}${onZero}`;
    }
    case 'LockMember':
      return `lock \`${member.name.text}\` (${member.lockKind})`;
    case 'FlagMember':
      return `flag \`${member.name.text}\` = ${member.initial?.value ?? false}`;
    case 'StateMember':
      return `state \`${member.name.text}\` { ${member.values.map((v) => v.text).join(', ')} } = ${member.initial?.text ?? member.values[0]?.text ?? '?'}`;
    case 'IntMember':
      return `int \`${member.name.text}\` = ${member.initial?.value ?? 0} in ${member.rangeLow?.value ?? 0}..${member.rangeHigh?.value ?? 7}`;
    case 'PtrMember':
      return `ptr \`${member.name.text}\` -> ${member.target.text} = ${member.initial ? (member.initial.kind === 'NullLiteral' ? 'null' : member.initial.text) : 'null'}`;
    case 'HandlerMember': {
      const queue = member.workqueue ? ` on ${codeSpan(snippet(text, member.workqueue.start, member.workqueue.end))}` : '';
      const module = member.module ? ` in module \`${member.module.text}\`` : '';
      return `${member.mechanism} \`${member.name.text}\`${queue}${module}; handler: ${codeSpan(snippet(text, member.body.start, member.body.end, 60))}`;
    }
    case 'PercpuRefMember': {
      const onZero = member.onZero ? `; release: ${codeSpan(snippet(text, member.onZero.start, member.onZero.end, 60))}` : '';
      const onConfirm = member.onConfirm ? `; confirm: ${codeSpan(snippet(text, member.onConfirm.start, member.onConfirm.end, 60))}` : '';
      return `percpu_ref \`${member.name.text}\` = 1${onZero}${onConfirm}`;
    }
    case 'SyncMember':
      return `${member.mechanism} \`${member.name.text}\``;
    case 'Error':
      return 'unparsed member';
  }
}

/** The lifecycle of an object in words. */
export function describeLifecycle(object: ObjectDecl): string {
  if (object.isStatic) return object.module ? `static data of module \`${object.module.text}\`: dies when the module is unloaded` : 'static: lives for the whole run, never freed';
  const modifiers = new Set(object.modifiers.map((m) => m.name));
  const parts = [modifiers.has('unborn') ? 'starts unallocated (needs `alloc`)' : 'live from the start', 'freed by `free`'];
  if (modifiers.has('recyclable')) parts.push('recyclable: may be allocated again, with a new generation');
  if (modifiers.has('long-lived')) parts.push('long-lived: outlives the scenario, so it is no leak when still allocated at the end');
  return parts.join('; ');
}
