// C files: in a folder that looks like a Linux kernel tree, offer once to turn C checks on; the
// command behind the status bar's "C checks off" turns them on for the workspace.

import * as vscode from 'vscode';
import { shouldOfferCChecks } from '../../server/src/core/features/cChecksOffer';
import { cChecksOn } from './statusBar';

const ANSWERED_KEY = 'lifetime.cChecksOfferAnswered';

async function turnOn(): Promise<void> {
  const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration('lifetime').update('c.enable', true, target);
  void vscode.window.setStatusBarMessage('Lifetime: C checks are on for this workspace.', 4000);
}

async function rootEntries(folder: vscode.WorkspaceFolder): Promise<string[]> {
  try {
    return (await vscode.workspace.fs.readDirectory(folder.uri)).map(([name]) => name);
  } catch {
    return [];
  }
}

async function maybeOffer(context: vscode.ExtensionContext, document: vscode.TextDocument): Promise<void> {
  if (document.languageId !== 'c') return;
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder) return;
  const answered = context.workspaceState.get<string[]>(ANSWERED_KEY, []);
  const offer = shouldOfferCChecks({ languageId: document.languageId, cChecksOn: cChecksOn(), rootEntries: await rootEntries(folder), answered: answered.includes(folder.uri.toString()) });
  if (!offer) return;
  // Asked once per folder, whatever the answer.
  await context.workspaceState.update(ANSWERED_KEY, [...answered, folder.uri.toString()]);
  const choice = await vscode.window.showInformationMessage(
    `${folder.name} looks like a Linux kernel tree. Turn on Lifetime's C checks (leaks, lock leaks and double puts on every path) for this workspace?`,
    'Turn On C Checks',
    'Not Now',
  );
  if (choice === 'Turn On C Checks') await turnOn();
}

export function registerCChecks(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('lifetime.enableCChecks', turnOn),
    vscode.workspace.onDidOpenTextDocument((document) => void maybeOffer(context, document)),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor) void maybeOffer(context, editor.document);
    }),
  );
  for (const document of vscode.workspace.textDocuments) void maybeOffer(context, document);
}
