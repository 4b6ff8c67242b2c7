// The trace view's page: everything inline, under a strict content security policy with a fresh
// nonce; no remote or local resources are loaded. Colours come from the editor theme's variables.

import { webviewMain } from './webviewMain';

export function makeNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let nonce = '';
  for (let i = 0; i < 32; i++) nonce += alphabet.charAt(Math.floor(Math.random() * alphabet.length));
  return nonce;
}

const STYLE = `
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 12px; }
  h1 { font-size: 1.2em; font-weight: 600; margin: 12px 0 4px; }
  .message { color: var(--vscode-descriptionForeground); margin: 0 0 12px; }
  .grid { display: grid; align-items: stretch; border-top: 1px solid var(--vscode-panel-border, transparent); }
  .row { display: contents; }
  .head { position: sticky; top: 0; background: var(--vscode-editor-background); font-weight: 600; padding: 6px 4px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-foreground)); text-align: center; z-index: 1; }
  .head.device { color: var(--vscode-symbolIcon-interfaceForeground, var(--vscode-foreground)); }
  .head.variable { font-family: var(--vscode-editor-font-family); font-weight: normal; color: var(--vscode-descriptionForeground); overflow-wrap: anywhere; }
  .cell { padding: 3px 4px; min-height: 1.6em; display: flex; align-items: center; justify-content: center; }
  .cell.index { color: var(--vscode-descriptionForeground); justify-content: flex-end; }
  .cell.lifeline { background: linear-gradient(var(--vscode-panel-border, var(--vscode-descriptionForeground)), var(--vscode-panel-border, var(--vscode-descriptionForeground))) no-repeat center / 1px 100%; }
  .cell.value { font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); }
  .cell.value.changed { color: var(--vscode-foreground); font-weight: 600; background: var(--vscode-diffEditor-insertedTextBackground, transparent); }
  .box { border: 1px solid var(--vscode-focusBorder); border-radius: 3px; padding: 2px 6px; font-family: var(--vscode-editor-font-family); background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); }
  .step { cursor: pointer; }
  .step:hover > .cell { background-color: var(--vscode-list-hoverBackground); }
  .step.selected > .cell { background-color: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
  .step.failing .box { border-color: var(--vscode-errorForeground); color: var(--vscode-errorForeground); font-weight: 600; }
  .empty { color: var(--vscode-descriptionForeground); }
`;

export function traceViewHtml(cspSource: string, nonce: string): string {
  void cspSource;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Lifetime trace</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}">(${webviewMain.toString()})();</script>
</body>
</html>`;
}
