// Workspace symbols: the items and members of every model the server knows, matched against the
// query the way editors' symbol pickers match (the query's characters in order, case-insensitive),
// best matches first.

import type { Analysis } from './analysis';
import { documentSymbols } from './symbols';
import type { DocumentSymbolItem, Range } from './types';

export interface WorkspaceSymbolItem {
  name: string;
  kind: number;
  /** The item a member or proposal item belongs to. */
  containerName?: string;
  uri: string;
  range: Range;
}

/** 0 for a prefix match, 1 for a substring, 2 for the characters in order, undefined for no match. */
export function matchRank(name: string, query: string): number | undefined {
  if (query.length === 0) return 2;
  const lowerName = name.toLowerCase();
  const lowerQuery = query.toLowerCase();
  if (lowerName.startsWith(lowerQuery)) return 0;
  if (lowerName.includes(lowerQuery)) return 1;
  let at = 0;
  for (const ch of lowerQuery) {
    at = lowerName.indexOf(ch, at);
    if (at < 0) return undefined;
    at++;
  }
  return 2;
}

export function workspaceSymbols(files: readonly { uri: string; analysis: Analysis }[], query: string, limit = 200): WorkspaceSymbolItem[] {
  const found: { item: WorkspaceSymbolItem; rank: number }[] = [];
  const visit = (uri: string, symbol: DocumentSymbolItem, container: string | undefined): void => {
    const rank = matchRank(symbol.name, query);
    if (rank !== undefined) {
      found.push({ item: { name: symbol.name, kind: symbol.kind, uri, range: symbol.selectionRange, ...(container ? { containerName: container } : {}) }, rank });
    }
    for (const child of symbol.children ?? []) visit(uri, child, symbol.name);
  };
  for (const file of files) for (const symbol of documentSymbols(file.analysis)) visit(file.uri, symbol, undefined);
  found.sort((a, b) => a.rank - b.rank || a.item.name.length - b.item.name.length || a.item.name.localeCompare(b.item.name) || a.item.uri.localeCompare(b.item.uri));
  return found.slice(0, limit).map((entry) => entry.item);
}
