// Plain data shaped like the Language Server Protocol's structures, so that the server can hand
// them over unchanged, without the core importing any LSP package. Ranges use 0-based lines and
// UTF-16 columns; the document itself is implied (the server adds URIs).

import type { Position } from '../util/lineIndex';

export type { Position };

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

/** LSP DiagnosticSeverity: 1 error, 2 warning, 3 information, 4 hint. */
export type SeverityNumber = 1 | 2 | 3 | 4;

export interface RelatedInfo {
  range: Range;
  message: string;
  /** Set when the place is in another file (a C source, an API table). */
  path?: string;
}

export interface EditorDiagnostic {
  range: Range;
  severity: SeverityNumber;
  code: string;
  codeDescription?: { href: string };
  source: 'lifetime';
  message: string;
  relatedInformation?: RelatedInfo[];
  /** LSP DiagnosticTag: 1 unnecessary. */
  tags?: 1[];
}

export interface MarkupHover {
  contents: { kind: 'markdown'; value: string };
  range: Range;
}

export interface InlayHintItem {
  position: Position;
  label: string;
  /** LSP InlayHintKind: 1 type, 2 parameter. */
  kind?: 1 | 2;
  paddingLeft?: boolean;
  tooltip?: string;
}

export interface CommandRef {
  title: string;
  command: string;
  arguments?: unknown[];
}

export interface CodeLensItem {
  range: Range;
  command: CommandRef;
}

export interface CodeActionItem {
  title: string;
  kind: 'quickfix';
  isPreferred?: boolean;
  /** The codes of the diagnostics the action fixes. */
  diagnosticCodes: string[];
  edits: TextEdit[];
}

/** LSP SymbolKind numbers used here. */
export const SymbolKinds = {
  Namespace: 3,
  Class: 5,
  Property: 7,
  Field: 8,
  Enum: 10,
  Function: 12,
  Variable: 13,
  Constant: 14,
  EnumMember: 22,
  Struct: 23,
  Event: 24,
  Operator: 25,
  Interface: 11,
  Object: 19,
} as const;

export interface DocumentSymbolItem {
  name: string;
  detail?: string;
  kind: number;
  range: Range;
  selectionRange: Range;
  children?: DocumentSymbolItem[];
}

export interface FoldingRangeItem {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

/** LSP CompletionItemKind numbers used here. */
export const CompletionKinds = {
  Function: 3,
  Field: 5,
  Variable: 6,
  Class: 7,
  Module: 9,
  Property: 10,
  Value: 12,
  Enum: 13,
  Keyword: 14,
  Snippet: 15,
  EnumMember: 20,
  Event: 23,
  Struct: 22,
} as const;

export interface CompletionEntry {
  label: string;
  kind: number;
  detail?: string;
  documentation?: string;
  sortText?: string;
  insertText?: string;
  /** LSP InsertTextFormat: 1 plain text, 2 snippet. */
  insertTextFormat?: 1 | 2;
}

export interface SignatureHelpResult {
  signatures: { label: string; documentation?: string; parameters: { label: [number, number] }[] }[];
  activeSignature: number;
  activeParameter: number;
}

export interface RenameResult {
  edits: TextEdit[];
}

/** A refusal with a message the editor shows as is. */
export interface Refusal {
  error: string;
}
