// The trace view's page: everything inline, under a strict content security policy with a fresh
// nonce; no remote or local resources are loaded. Colours come from the editor theme's variables.

import { randomBytes } from 'node:crypto';
import { TRACE_VIEW_STYLE } from './style';
import { webviewMain } from './webviewMain';

/** A fresh nonce of 192 random bits from the system's generator: a page's scripts run only with it. */
export function makeNonce(): string {
  return randomBytes(24).toString('base64url');
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
