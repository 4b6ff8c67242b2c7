// The trace view's page: everything inline, under a strict content security policy with a fresh
// nonce; no remote or local resources are loaded. Colours come from the editor theme's variables.

import { TRACE_VIEW_STYLE } from './style';
import { webviewMain } from './webviewMain';

export function makeNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let nonce = '';
  for (let i = 0; i < 32; i++) nonce += alphabet.charAt(Math.floor(Math.random() * alphabet.length));
  return nonce;
}

export function traceViewHtml(cspSource: string, nonce: string): string {
  void cspSource;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Lifetime trace</title>
<style nonce="${nonce}">${TRACE_VIEW_STYLE}</style>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}">(${webviewMain.toString()})();</script>
</body>
</html>`;
}
