// The trace view's page in a real browser (headless Chromium through playwright-core): it draws one
// column per actor and the counters after each step, reports a click on a step, and loads under its
// strict content security policy without a violation.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { traceViewData } from '../../server/src/core/features/traceView';
import { checked, UAF_MODEL } from '../features/helpers';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((file) => fs.existsSync(file));
const skip = CHROMIUM ? false : 'Chromium is not installed (Debian package `chromium`)';
if (!CHROMIUM && process.env.CI) throw new Error('CI requires Chromium for the trace view test');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-trace-view-'));
let browser: Browser | undefined;
let traceViewHtml: (cspSource: string, nonce: string) => string;

before(async () => {
  if (skip) return;
  // The page is built from the client's own module, bundled as the extension bundles it.
  const outfile = path.join(dir, 'html.js');
  await esbuild.build({ entryPoints: [path.join(process.cwd(), 'client/src/traceView/html.ts')], bundle: true, platform: 'node', format: 'cjs', minify: true, outfile, logLevel: 'silent' });
  traceViewHtml = (require(outfile) as { traceViewHtml: typeof traceViewHtml }).traceViewHtml;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function openPage(): Promise<{ page: Page; posted: unknown[]; violations: string[] }> {
  const page = await browser!.newPage();
  const posted: unknown[] = [];
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction('__post', (message: unknown) => posted.push(message));
  // The webview host's API, as VS Code injects it, forwarding posted messages to the test.
  await page.addInitScript({
    content: 'window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__post(m), getState: () => undefined, setState: () => undefined });',
  });
  const file = path.join(dir, `page-${Date.now()}.html`);
  fs.writeFileSync(file, traceViewHtml('vscode-resource:', 'abc123nonce'));
  await page.goto(`file://${file}`);
  return { page, posted, violations };
}

test('the trace view draws the counterexample and reports clicks', { skip }, async () => {
  const data = traceViewData(checked(UAF_MODEL));
  assert.ok(data);
  const { page, posted, violations } = await openPage();
  await page.waitForFunction(() => true);
  assert.deepEqual(posted[0], { type: 'ready' });
  await page.evaluate(`window.postMessage({ type: 'trace', data: ${JSON.stringify(data)}, index: -1 }, '*')`);
  await page.waitForSelector('.step');
  assert.equal(await page.textContent('h1'), 'baseline: use-after-free in 3 steps');
  assert.deepEqual(await page.$$eval('.head.actor', (nodes) => nodes.map((n) => n.textContent)), ['cpu1', 'cpu0']);
  assert.deepEqual(await page.$$eval('.head.variable', (nodes) => nodes.map((n) => n.textContent)), ['mm.users', 'mm']);
  assert.deepEqual(await page.$$eval('.step .box', (nodes) => nodes.map((n) => n.textContent)), ['put mm.users (users 1→0)', 'free mm (frees mm)', 'use mm']);
  assert.deepEqual(await page.$$eval('.step .value.changed', (nodes) => nodes.map((n) => n.textContent)), ['0', 'freed']);
  assert.equal(await page.$$eval('.step.failing', (nodes) => nodes.length), 1);
  await page.click('.step[data-index="1"]');
  assert.deepEqual(posted[posted.length - 1], { type: 'reveal', index: 1 });
  assert.equal(await page.$$eval('.step.selected', (nodes) => nodes.map((n) => n.getAttribute('data-index')).join()), '1');
  await page.evaluate(`window.postMessage({ type: 'select', index: 2 }, '*')`);
  await page.waitForSelector('.step.selected[data-index="2"]');
  assert.deepEqual(violations, []);
  await page.close();
});

test('the page has a strict CSP with a nonce and loads nothing remote', { skip }, () => {
  const html = traceViewHtml('vscode-resource:', 'N0NCE');
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-N0NCE'; script-src 'nonce-N0NCE';">/);
  assert.doesNotMatch(html, /https?:\/\//);
  assert.doesNotMatch(html, /\bsrc=/);
  assert.match(html, /<script nonce="N0NCE">/);
  assert.match(html, /var\(--vscode-editor-background\)/);
});
