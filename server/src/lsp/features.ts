// LSP requests answered by the core's pure feature functions. Every handler catches its own
// failures: a request that trips on an odd document answers nothing and logs why.

import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type {
  CodeLensParams,
  CompletionItem,
  DocumentSymbol,
  CompletionParams,
  Connection,
  DocumentFormattingParams,
  DocumentSymbolParams,
  FoldingRangeParams,
  HoverParams,
  InlayHintParams,
  PrepareRenameParams,
  ReferenceParams,
  SemanticTokensParams,
  SignatureHelpParams,
  DefinitionParams,
  RenameParams,
  TextDocuments,
} from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { isCheckable, type Analysis } from '../core/features/analysis';
import { exportPromelaFromFile } from '../core/engine/promela';
import { cBodiesFor } from '../core/features/cBodies';
import { codeLenses } from '../core/features/codeLens';
import { completionsAt } from '../core/features/completion';
import { foldingRanges } from '../core/features/folding';
import { formatDocument } from '../core/features/formatting';
import { hoverAt } from '../core/features/hover';
import { inlayHintsIn } from '../core/features/inlayHints';
import { definitionAt, prepareRenameAt, referencesAt, renameAt } from '../core/features/navigation';
import { semanticTokens } from '../core/features/semanticTokens';
import { signatureHelpAt } from '../core/features/signatureHelp';
import { documentSymbols } from '../core/features/symbols';
import { traceViewData } from '../core/features/traceView';
import { CodeActionProvider } from './codeActions';
import { describeError, type Session } from './session';

/** The last segment of a document URI, decoded: `iommu.lifetime`, or `Untitled-1` for `untitled:Untitled-1`. */
export function fileNameOf(uri: string): string {
  const last = uri.slice(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf(':')) + 1);
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export function registerFeatures(connection: Connection, documents: TextDocuments<TextDocument>, session: Session): void {
  function guarded<P extends { textDocument: { uri: string } }, R>(name: string, fallback: R, handler: (analysis: Analysis, params: P) => R) {
    return (params: P): R => {
      try {
        const analysis = session.analysisFor(params.textDocument.uri);
        if (!analysis) return fallback;
        return handler(analysis, params);
      } catch (error) {
        connection.console.error(`${name} failed: ${describeError(error)}`);
        return fallback;
      }
    };
  }
  const offsetOf = (analysis: Analysis, position: { line: number; character: number }) => analysis.lines.offsetAt(position);

  connection.onHover(guarded('hover', null, (analysis, params: HoverParams) => hoverAt(analysis, offsetOf(analysis, params.position)) ?? null));

  connection.onDefinition(
    guarded('definition', null, (analysis, params: DefinitionParams) => definitionAt(analysis, offsetOf(analysis, params.position)).map((range) => ({ uri: params.textDocument.uri, range }))),
  );

  connection.onReferences(
    guarded('references', null, (analysis, params: ReferenceParams) =>
      referencesAt(analysis, offsetOf(analysis, params.position), params.context?.includeDeclaration !== false).map((range) => ({ uri: params.textDocument.uri, range })),
    ),
  );

  connection.onPrepareRename((params: PrepareRenameParams) => {
    const analysis = session.analysisFor(params.textDocument.uri);
    if (!analysis) return null;
    const result = prepareRenameAt(analysis, offsetOf(analysis, params.position));
    if ('error' in result) throw new ResponseError(ErrorCodes.InvalidRequest, result.error);
    return result;
  });

  connection.onRenameRequest((params: RenameParams) => {
    const newName: unknown = params.newName;
    if (typeof newName !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, `rename needs newName to be a string, not ${newName === null ? 'null' : typeof newName}.`);
    const analysis = session.analysisFor(params.textDocument.uri);
    if (!analysis) return null;
    const result = renameAt(analysis, offsetOf(analysis, params.position), params.newName);
    if ('error' in result) throw new ResponseError(ErrorCodes.InvalidRequest, result.error);
    return { changes: { [params.textDocument.uri]: result.edits } };
  });

  connection.onDocumentSymbol(guarded('documentSymbol', [] as DocumentSymbol[], (analysis, _params: DocumentSymbolParams) => documentSymbols(analysis) as DocumentSymbol[]));
  connection.onFoldingRanges(guarded('foldingRange', [], (analysis, _params: FoldingRangeParams) => foldingRanges(analysis)));
  connection.onDocumentFormatting(
    guarded('formatting', [], (analysis, params: DocumentFormattingParams) => formatDocument(analysis, { tabSize: params.options.tabSize, insertSpaces: params.options.insertSpaces })),
  );
  connection.onCompletion(guarded('completion', [] as CompletionItem[], (analysis, params: CompletionParams) => completionsAt(analysis, offsetOf(analysis, params.position)) as CompletionItem[]));
  connection.onSignatureHelp(guarded('signatureHelp', null, (analysis, params: SignatureHelpParams) => signatureHelpAt(analysis, offsetOf(analysis, params.position)) ?? null));
  connection.onCodeLens(guarded('codeLens', [], (analysis, params: CodeLensParams) => codeLenses(analysis, params.textDocument.uri)));
  connection.languages.inlayHint.on(
    guarded('inlayHint', [], (analysis, params: InlayHintParams) => inlayHintsIn(analysis, offsetOf(analysis, params.range.start), offsetOf(analysis, params.range.end))),
  );
  connection.languages.semanticTokens.on(guarded('semanticTokens', { data: [] as number[] }, (analysis, _params: SemanticTokensParams) => ({ data: semanticTokens(analysis) })));

  const codeActions = new CodeActionProvider(session, connection);
  connection.onCodeAction(async (params, token) => {
    try {
      return await codeActions.provide(params, token);
    } catch (error) {
      connection.console.error(`codeAction failed: ${describeError(error)}`);
      return [];
    }
  });

  connection.onRequest('lifetime/trace', (params: { uri?: unknown; proposal?: unknown }) => {
    if (typeof params?.uri !== 'string') return null;
    const analysis = session.analysisFor(params.uri);
    if (!analysis) return null;
    return traceViewData(analysis, typeof params.proposal === 'string' ? params.proposal : undefined, fileNameOf(params.uri)) ?? null;
  });

  connection.onRequest('lifetime/promela', async (params: { uri?: unknown; proposal?: unknown }): Promise<{ text?: string; error?: string }> => {
    if (typeof params?.uri !== 'string') return { error: 'lifetime/promela needs a uri.' };
    const analysis = session.analysisFor(params.uri);
    if (!analysis) return { error: `${params.uri} is not open.` };
    if (!isCheckable(analysis)) return { error: 'The model has errors; fix them before exporting it.' };
    const proposal = typeof params.proposal === 'string' ? params.proposal : 'baseline';
    // The export lowers the model in this thread, so C bodies need the translator here too.
    const { translateC } = await cBodiesFor(session.cDocuments.apiTables);
    try {
      const exported = exportPromelaFromFile(analysis.file, proposal, translateC);
      if (exported.text === undefined) return { error: `The ${proposal} model cannot be exported: ${exported.diagnostics.map((d) => d.message).join('; ') || 'it could not be lowered'}.` };
      return { text: exported.text };
    } catch (error) {
      return { error: `The export failed: ${describeError(error)}` };
    }
  });

  connection.onRequest('lifetime/check', async (params: { uri?: unknown }) => {
    if (typeof params?.uri !== 'string') return 'lifetime/check needs a uri.';
    return session.checkNow(params.uri);
  });

  // Memory use, for the stress test and for diagnosing leaks; collects garbage first when allowed.
  connection.onRequest('lifetime/memory', () => {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (collect) collect();
    const usage = process.memoryUsage();
    return { heapUsed: usage.heapUsed, rss: usage.rss, documents: documents.all().length };
  });
}
