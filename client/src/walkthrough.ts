// The commands behind the getting-started walkthrough: open a gallery model as an untitled copy,
// and apply a verified fix at its violation.

import * as fs from 'node:fs';
import * as vscode from 'vscode';

/** The gallery model the walkthrough opens; the package carries it (see .vscodeignore). */
const EXAMPLE = 'examples/iommu-release-device-ordering.lifetime';

/**
 * The example as a reviewer has it while the review is still open: without its `expect baseline:`
 * line, so that the baseline's use-after-free is an unexpected violation with fixes to offer.
 */
export function openReviewText(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*expect\s+baseline\s*:/.test(line))
    .join('\n');
}

export function registerWalkthrough(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('lifetime.openExample', async () => {
      let text: string;
      try {
        text = fs.readFileSync(context.asAbsolutePath(EXAMPLE), 'utf8');
      } catch (error) {
        return void vscode.window.showErrorMessage(`Lifetime: the example model is missing from the extension (${error instanceof Error ? error.message : String(error)}).`);
      }
      const document = await vscode.workspace.openTextDocument({ language: 'lifetime', content: openReviewText(text) });
      await vscode.window.showTextDocument(document, { preview: false });
    }),
    vscode.commands.registerCommand('lifetime.walkthrough.fix', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== 'lifetime') return void vscode.window.showInformationMessage('Lifetime: open the example model first.');
      const violation = vscode.languages
        .getDiagnostics(editor.document.uri)
        .find((d) => d.source === 'lifetime' && d.severity === vscode.DiagnosticSeverity.Error && /^LT30/.test(String(typeof d.code === 'object' ? d.code.value : d.code)));
      if (!violation) return void vscode.window.showInformationMessage('Lifetime: no violation to fix yet; run "Lifetime: Check File" and wait for its verdict.');
      editor.selection = new vscode.Selection(violation.range.start, violation.range.start);
      editor.revealRange(violation.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      await vscode.commands.executeCommand('editor.action.quickFix');
    }),
  );
}
