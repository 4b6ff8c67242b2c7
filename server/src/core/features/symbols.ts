// The document outline: items, with members and proposal items nested.

import type { Item, Member, ProposalItem } from '../syntax/ast';
import type { Analysis } from './analysis';
import { describeMember } from './declarations';
import { toRange } from './ranges';
import { SymbolKinds, type DocumentSymbolItem } from './types';

function memberSymbol(analysis: Analysis, member: Member): DocumentSymbolItem | undefined {
  if (member.kind === 'Error' || member.name.missing) return undefined;
  return {
    name: member.name.text,
    detail: describeMember(analysis.text, member).replace(/`/g, ''),
    kind: member.kind === 'RefMember' ? SymbolKinds.Field : member.kind === 'StateMember' ? SymbolKinds.Enum : SymbolKinds.Property,
    range: toRange(analysis.lines, member.start, member.end),
    selectionRange: toRange(analysis.lines, member.name.start, member.name.end),
  };
}

function itemSymbol(analysis: Analysis, item: Item | ProposalItem): DocumentSymbolItem | undefined {
  const range = toRange(analysis.lines, item.start, item.end);
  const named = (name: { text: string; start: number; end: number; missing?: boolean }, kind: number, detail?: string, children?: DocumentSymbolItem[]) =>
    name.missing
      ? undefined
      : { name: name.text, kind, range, selectionRange: toRange(analysis.lines, name.start, name.end), ...(detail ? { detail } : {}), ...(children ? { children } : {}) };
  switch (item.kind) {
    case 'ModelDecl':
      return named(item.name, SymbolKinds.Namespace, item.title?.value ?? 'model');
    case 'ObjectDecl': {
      const members = item.members.map((m) => memberSymbol(analysis, m)).filter((s): s is DocumentSymbolItem => s !== undefined);
      return named(item.name, item.isStatic ? SymbolKinds.Struct : SymbolKinds.Class, item.isStatic ? 'static' : ['object', ...item.modifiers.map((m) => m.name)].join(' '), members);
    }
    case 'FnDecl':
      return named(item.name, SymbolKinds.Function, `(${item.params.map((p) => p.text).join(', ')})${item.body.kind === 'CBody' ? ' c' : ''}`);
    case 'ThreadDecl':
      return named(item.name, SymbolKinds.Variable, item.count ? `thread[${item.count.value}]` : 'thread');
    case 'DeviceDecl':
      return named(item.name, SymbolKinds.Interface, 'device');
    case 'ProposalDecl': {
      const children = item.items.map((i) => itemSymbol(analysis, i)).filter((s): s is DocumentSymbolItem => s !== undefined);
      return named(item.name, SymbolKinds.Namespace, item.title?.value ?? 'proposal', children);
    }
    case 'ExpectDecl':
      return item.proposal.missing ? undefined : { name: `expect ${item.proposal.text}: ${item.outcome.text}`, kind: SymbolKinds.Constant, range, selectionRange: toRange(analysis.lines, item.proposal.start, item.proposal.end) };
    case 'OrderDecl':
      return { name: analysis.text.slice(item.first.start, item.second.end).replace(/\s+/g, ' '), kind: SymbolKinds.Event, range, selectionRange: toRange(analysis.lines, item.first.start, item.first.end), detail: 'order' };
    case 'RemoveDecl':
      return named(item.name, SymbolKinds.Operator, `remove ${item.targetKind}`);
    case 'BindDecl':
      return { name: `bind "${item.cExpr.value}"`, kind: SymbolKinds.Constant, range, selectionRange: toRange(analysis.lines, item.cExpr.start, item.cExpr.end) };
    case 'Error':
      return undefined;
  }
}

export function documentSymbols(analysis: Analysis): DocumentSymbolItem[] {
  return analysis.file.items.map((item) => itemSymbol(analysis, item)).filter((s): s is DocumentSymbolItem => s !== undefined);
}
