// The server's commands, for every LSP client through `workspace/executeCommand`:
//
//   lifetime.recheck   [uri, proposal?]  check now, whatever `lifetime.check.on` says
//   lifetime.showTrace [uri, proposal?]  the counterexample as text: shown in a document through
//                                        `window/showDocument` when the client can, else as a message
//   lifetime.stopCheck [uri]             stop the document's check in flight
//   lifetime.review    [patchUri?]       review a patch document, or with no argument the git staged
//                                        changes (see patchReview.ts)
//
// Each answers with a line of text. The VS Code client draws traces itself and names the commands
// it handles (`initializationOptions.clientCommands`); those are not advertised, since the client
// library would register them a second time.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageType, ShowMessageNotification, type Connection } from 'vscode-languageserver/node';
import { violationTraceBlocks } from '../core/report/traceText';
import { fileVerdict, proposalLabel, verdictText } from '../core/report/verdictWording';
import type { Analysis } from '../core/features/analysis';
import { describeError, LARGE_MODEL_CHARS, type Session } from './session';
import { fileNameOf } from './features';
import { REVIEW_COMMAND } from './patchReview';

export const SERVER_COMMANDS = ['lifetime.recheck', 'lifetime.showTrace', 'lifetime.stopCheck', REVIEW_COMMAND] as const;

/** The commands to advertise: all but those the client says it runs itself. */
export function advertisedCommands(initializationOptions: unknown): string[] {
  const handled = (initializationOptions as { clientCommands?: unknown } | null | undefined)?.clientCommands;
  const byClient = Array.isArray(handled) ? handled.filter((c): c is string => typeof c === 'string') : [];
  return SERVER_COMMANDS.filter((command) => !byClient.includes(command));
}

/** The trace of a proposal (the first with a violation when none is named), as text. */
export function traceText(analysis: Analysis, uri: string, proposal: string | undefined): string {
  const results = analysis.engine?.proposals ?? [];
  const result = proposal !== undefined ? results.find((r) => r.name === proposal) : (results.find((r) => r.verdict === 'violation') ?? results[0]);
  const name = fileNameOf(uri);
  if (!analysis.engine) return `${name}: not checked yet; run lifetime.recheck first.`;
  if (!result) return `${name}: no proposal named ${proposal}.`;
  const head = `${name}: ${fileVerdict(results).text}\n${proposalLabel(result)}: ${verdictText(result)}`;
  const blocks = violationTraceBlocks(result, analysis.text, analysis.lines, name);
  return blocks.length > 0 ? `${head}\n\n${blocks.join('\n\n')}\n` : `${head}\n${result.verdict === 'safe' ? 'No trace: the search found no violation.' : (result.message ?? '')}\n`;
}

export class CommandHandler {
  private traceDir: string | undefined;
  showDocumentSupport = false;

  constructor(
    private readonly connection: Connection,
    private readonly session: Session,
  ) {}

  register(): void {
    this.connection.onExecuteCommand(async (params) => {
      try {
        if (params.command === REVIEW_COMMAND) return await this.session.patchDocuments.run(params.arguments ?? []);
        const [uri, proposal] = (params.arguments ?? []) as unknown[];
        if (typeof uri !== 'string') return `${params.command} needs a document URI as its first argument.`;
        const named = typeof proposal === 'string' ? proposal : undefined;
        switch (params.command) {
          case 'lifetime.recheck':
            return await this.session.checkNow(uri, named ? [named] : undefined);
          case 'lifetime.showTrace':
            return await this.showTrace(uri, named);
          case 'lifetime.stopCheck':
            return this.session.stopCheck(uri) ? 'The check was stopped.' : 'No check is running for this document.';
          default:
            return `Unknown command ${params.command}.`;
        }
      } catch (error) {
        return `The command failed: ${describeError(error)}`;
      }
    });
  }

  private async showTrace(uri: string, proposal: string | undefined): Promise<string> {
    if (this.session.isLargeModel(uri)) return `${uri} is over ${LARGE_MODEL_CHARS / 1024} KiB, so its trace is not drawn in the editor; \`lifetime check\` prints it in a terminal.`;
    const analysis = this.session.analysisFor(uri);
    if (!analysis) return `${uri} is not open.`;
    if (!analysis.engine) await this.session.checkNow(uri);
    const text = traceText(this.session.analysisFor(uri) ?? analysis, uri, proposal);
    const file = this.showDocumentSupport ? this.writeTrace(uri, proposal, text) : undefined;
    if (file) {
      const shown = await this.connection.window.showDocument({ uri: pathToFileURL(file).href, takeFocus: true }).catch(() => ({ success: false }));
      if (shown.success) return text;
    }
    // A notification, not window/showMessageRequest: a client shows it without asking for an answer.
    void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Info, message: text });
    return text;
  }

  /** Writes the trace to a file of the server's own temporary folder (never the workspace). */
  private writeTrace(uri: string, proposal: string | undefined, text: string): string | undefined {
    try {
      this.traceDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-traces-'));
      const base = `${fileNameOf(uri).replace(/\.lifetime$/, '').replace(/[^\w.-]/g, '_')}.${(proposal ?? 'trace').replace(/[^\w.-]/g, '_')}.txt`;
      const file = path.join(this.traceDir, base);
      fs.writeFileSync(file, text);
      return file;
    } catch (error) {
      this.connection.console.warn(`Could not write the trace to a temporary file: ${describeError(error)}`);
      return undefined;
    }
  }

  dispose(): void {
    if (this.traceDir) fs.rmSync(this.traceDir, { recursive: true, force: true });
  }
}
