// The `.lifetime` parser: handwritten recursive descent over the scanner's tokens.
//
// It never throws. A construct it cannot complete still yields a node (zero-width `missing` names,
// `MissingExpression`s), tokens it cannot place are kept in `ErrorNode`s, and it reports at most one
// diagnostic per source position, so one mistake gives one message. Nesting deeper than
// `MAX_NESTING` is skipped with LT1012 rather than followed, so no input can exhaust the stack.
//
// The grammar's layers are classes, each extending the one below: parserCore.ts (tokens, diagnostics,
// recovery, names and literals), parseExpressions.ts, parseKernelStatements.ts, parseStatements.ts,
// parseDeclarations.ts, and here the file.

import { CODES, type Diagnostic } from '../diagnostics/codes';
import type { Item, SourceFile } from './ast';
import { TokenStore } from './tokenStore';
import { describeToken, TokenKind, type Token } from './tokens';
import { ITEM_WORDS } from './parserWords';
import { DeclarationParser } from './parseDeclarations';

export { MAX_NESTING } from './parserWords';

export interface ParseResult {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

export function parse(text: string): ParseResult {
  return new Parser(text).parseFile();
}

class Parser extends DeclarationParser {
  parseFile(): ParseResult {
    const items: Item[] = [];
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.EOF) break;
      if (kind === TokenKind.Semicolon) {
        this.advance();
        continue;
      }
      if (this.isItemStart(ITEM_WORDS)) {
        items.push(this.parseItem(false) as Item);
        continue;
      }
      const token = this.token();
      const found = describeToken(this.text, token);
      this.error(CODES.expectedItem, `Expected an item (model, object, static, fn, thread, device, order, bind, proposal or expect) but found ${found}.`, token.start, token.end);
      items.push(this.skipUntil(() => this.isItemStart(ITEM_WORDS)));
    }
    // The EOF token is already in `tokens`: it ends the scan.
    this.diagnostics.sort((a, b) => a.start - b.start);
    return { file: sourceFile(this.text, items, this.tokens), diagnostics: this.diagnostics };
  }
}

/**
 * The root node. Its `tokens` become objects only when first read: the parser and the checker
 * never need them, and a large file's token objects would cost more than the parse itself.
 */
function sourceFile(text: string, items: Item[], store: TokenStore): SourceFile {
  let tokens: Token[] | undefined;
  return {
    kind: 'SourceFile',
    start: 0,
    end: text.length,
    text,
    items,
    tokenCount: store.count,
    get tokens(): Token[] {
      if (tokens === undefined) tokens = store.toArray();
      return tokens;
    },
    set tokens(value: Token[]) {
      tokens = value;
    },
  };
}
