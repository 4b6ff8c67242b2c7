// textDocument/documentHighlight, answered by the core (core/features/highlights.ts).

import type { Connection, DocumentHighlight, DocumentHighlightParams } from 'vscode-languageserver/node';
import { documentHighlights } from '../core/features/highlights';
import { describeError, type Session } from './session';

export function registerHighlights(connection: Connection, session: Session): void {
  connection.onDocumentHighlight((params: DocumentHighlightParams): DocumentHighlight[] => {
    try {
      const analysis = session.analysisFor(params.textDocument.uri);
      return analysis ? documentHighlights(analysis, analysis.lines.offsetAt(params.position)) : [];
    } catch (error) {
      connection.console.error(`documentHighlight failed: ${describeError(error)}`);
      return [];
    }
  });
}
