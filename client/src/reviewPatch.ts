// "Lifetime: Review Patch": reviews the patch file in the active editor (or the one chosen in the
// explorer), else the git staged changes, through the server's `lifetime.review` command, and
// shows the report beside the editor. The staged changes are read with git, which a workspace's
// configuration could steer, so they are reviewed only in a trusted workspace.

import * as vscode from 'vscode';
import { ExecuteCommandRequest, type LanguageClient } from 'vscode-languageclient/node';

export const REVIEW_PATCH_COMMAND = 'lifetime.reviewPatch';
/** The server's command (workspace/executeCommand); other LSP clients call it directly. */
const SERVER_REVIEW_COMMAND = 'lifetime.review';

interface ReviewResult {
  ok: boolean;
  text: string;
  introduced: number;
  fixed: number;
  remaining: number;
}

export function isPatchDocument(document: vscode.TextDocument): boolean {
  return document.languageId === 'diff' || /\.(patch|diff|eml)$/i.test(document.uri.path);
}

function targetPatch(target: unknown): vscode.Uri | undefined {
  if (target instanceof vscode.Uri) return target;
  const editor = vscode.window.activeTextEditor;
  return editor && isPatchDocument(editor.document) ? editor.document.uri : undefined;
}

export function registerReviewPatch(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined, output: vscode.LogOutputChannel): void {
  const command = vscode.commands.registerCommand(REVIEW_PATCH_COMMAND, async (target?: unknown) => {
    const patch = targetPatch(target);
    if (!patch && !vscode.workspace.isTrusted) {
      return void vscode.window.showWarningMessage('Lifetime: reviewing the staged changes runs git in this workspace; trust the workspace first, or open a .patch file to review it.');
    }
    const client = getClient();
    if (!client || !client.isRunning()) return void vscode.window.showWarningMessage('Lifetime: the language server is not running. Run "Lifetime: Restart Server".');
    if (patch) await vscode.workspace.openTextDocument(patch);
    const what = patch ? vscode.workspace.asRelativePath(patch) : 'the staged changes';
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Lifetime: reviewing ${what}` }, () =>
      client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_REVIEW_COMMAND, arguments: patch ? [patch.toString()] : [] }),
    );
    const review = result as ReviewResult | undefined;
    if (!review || typeof review.text !== 'string') return void vscode.window.showErrorMessage('Lifetime: the review gave no answer; see the Lifetime output channel.');
    output.info(`Review of ${what}:\n${review.text}`);
    if (!review.ok) return void vscode.window.showErrorMessage(`Lifetime: ${review.text.split('\n')[0]}`);
    const report = await vscode.workspace.openTextDocument({ content: review.text, language: 'plaintext' });
    await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    void vscode.window.showInformationMessage(`Lifetime: ${what}: ${review.introduced} introduced, ${review.fixed} fixed, ${review.remaining} remaining.`);
  });
  context.subscriptions.push(command);
}
