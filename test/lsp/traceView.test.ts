// The trace view's page in a real browser (headless Chromium through playwright-core), at half the
// width of a 1400-pixel workbench: the lanes fit, each step reads on two lines, the thread headers
// stay in view, the failing step is scrolled to and marked, a deadlock ends its blocked lanes at
// their waits, a lasso trace shows its cycle, and the page loads under its strict content security
// policy without a violation.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { traceViewData, type TraceViewData } from '../../server/src/core/features/traceView';
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

/** The VS Code theme variables the page reads, at the sizes of the default theme. */
const THEME = {
  '--vscode-font-size': '13px',
  '--vscode-font-family': 'sans-serif',
  '--vscode-editor-font-family': 'monospace',
  '--vscode-errorForeground': 'rgb(241, 76, 76)',
  '--vscode-focusBorder': 'rgb(0, 127, 212)',
};

async function openPage(width = 560, height = 820): Promise<{ page: Page; posted: unknown[]; violations: string[] }> {
  const page = await browser!.newPage({ viewport: { width, height } });
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
  await page.evaluate(`for (const [name, value] of Object.entries(${JSON.stringify(THEME)})) document.documentElement.style.setProperty(name, value);`);
  return { page, posted, violations };
}

async function showTrace(page: Page, data: TraceViewData): Promise<void> {
  await page.evaluate(`window.postMessage(${JSON.stringify({ type: 'trace', data, index: -1 })}, '*')`);
  await page.waitForSelector('.step');
}

const IOMMU = fs.readFileSync(path.join(process.cwd(), 'examples/iommu-release-device-ordering.lifetime'), 'utf8').replace(/^expect baseline:.*$/m, '');

test('at half the workbench width the trace reads: lanes fit, steps take two lines, the failing step is in view', { skip }, async () => {
  const data = traceViewData(checked(IOMMU), undefined, 'iommu-release-device-ordering.lifetime');
  assert.ok(data);
  // Half of a 1400-pixel workbench beside the editor, and short enough that the steps must scroll.
  const { page, posted, violations } = await openPage(540, 480);
  assert.deepEqual(posted[0], { type: 'ready' });
  await showTrace(page, data);
  assert.equal(await page.textContent('h1'), 'baseline · iommu-release-device-ordering.lifetime');
  assert.equal(await page.textContent('.verdict'), 'use-after-free in 12 steps, unexpected');
  assert.deepEqual(await page.$$eval('.head.actor', (nodes) => nodes.map((n) => n.textContent)), ['cpu0', 'cpu1']);
  assert.equal(await page.$$eval('.head.variable', (nodes) => nodes.length), 0, 'no state columns until the user pins one');
  assert.deepEqual(await page.$$eval('.step .action', (nodes) => nodes.slice(0, 2).map((n) => n.textContent)), ['lock group.mutex', 'clear d.in_group']);
  assert.deepEqual(await page.$$eval('.step .effects', (nodes) => nodes.slice(0, 2).map((n) => n.textContent)), ['takes group.mutex', 'dev_a.in_group true→false']);
  const layout = (await page.evaluate(`(() => {
    const scroller = document.querySelector('.scroller');
    const box = scroller.getBoundingClientRect();
    const failingBox = document.querySelector('.step.failing .box').getBoundingClientRect();
    const lineHeight = parseFloat(getComputedStyle(document.querySelector('.step .action')).lineHeight) || 16;
    const lines = [...document.querySelectorAll('.step .action, .step .effects')].map((n) => Math.round(n.getBoundingClientRect().height / lineHeight));
    return { overflow: scroller.scrollWidth - scroller.clientWidth, failingInView: failingBox.top >= box.top && failingBox.bottom <= box.bottom, maxLines: Math.max(...lines) };
  })()`)) as { overflow: number; failingInView: boolean; maxLines: number };
  assert.equal(layout.overflow, 0, 'the lanes fit: nothing is cut off or scrolls sideways');
  assert.ok(layout.failingInView, 'the view has scrolled to the failing step');
  assert.equal(layout.maxLines, 1, 'each action and each list of effects fits on one line');
  // The thread headers stay in view while the steps scroll under them.
  const headerTops = (await page.evaluate(`(() => {
    const scroller = document.querySelector('.scroller');
    scroller.scrollTop = 0;
    const before = document.querySelector('.head.actor').getBoundingClientRect().top;
    scroller.scrollTop = 10000;
    const after = document.querySelector('.head.actor').getBoundingClientRect().top;
    return { before, after, scrolled: scroller.scrollTop };
  })()`)) as { before: number; after: number; scrolled: number };
  assert.ok(headerTops.scrolled > 0, 'the steps are taller than the view');
  assert.equal(headerTops.after, headerTops.before);
  assert.equal(await page.$$eval('.step.failing', (nodes) => nodes.length), 1);
  assert.match((await page.textContent('.boom')) ?? '', /use dom: domain was freed/);
  await page.click('.step[data-index="1"]');
  assert.deepEqual(posted[posted.length - 1], { type: 'reveal', violation: 0, index: 1 });
  assert.equal(await page.$$eval('.step.selected', (nodes) => nodes.map((n) => n.getAttribute('data-index')).join()), '1');
  assert.match((await page.textContent('footer.state')) ?? '', /^After step 2 of 12 \(cpu0, line \d+\): .*dev_a\.in_group = false/);
  // A variable pinned from the footer becomes a column with its value after each step.
  await page.click('footer.state .pair >> text=dev_a.in_group = false');
  assert.deepEqual(await page.$$eval('.head.variable', (nodes) => nodes.map((n) => n.textContent)), ['dev_a.in_group']);
  assert.deepEqual(await page.$$eval('.step .value', (nodes) => nodes.slice(0, 2).map((n) => n.textContent)), ['true', 'false']);
  await page.evaluate(`window.postMessage({ type: 'select', index: 2 }, '*')`);
  await page.waitForSelector('.step.selected[data-index="2"]');
  if (process.env.TRACE_VIEW_SCREENSHOT) await page.screenshot({ path: process.env.TRACE_VIEW_SCREENSHOT });
  assert.deepEqual(violations, []);
  await page.close();
});

test('a deadlock ends each blocked lane at its wait, and nothing before it is marked as failing', { skip }, async () => {
  const vfio = fs.readFileSync(path.join(process.cwd(), 'examples/vfio-dma-unmap-vaddr-deadlock.lifetime'), 'utf8');
  const data = traceViewData(checked(vfio), undefined, 'vfio.lifetime');
  assert.ok(data);
  const { page } = await openPage();
  await showTrace(page, data);
  assert.equal(await page.textContent('.verdict'), 'deadlock in 8 steps, as expected');
  assert.equal(await page.$$eval('.step.failing', (nodes) => nodes.length), 0);
  const blocked = await page.$$eval('.blocked > .cell', (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(blocked, [
    'end',
    '',
    'blocked at wait until dma.vaddr_valid || waiter.close_flagdma.vaddr_valid is false, waiter.close_flag is false',
    'blocked at wait until mdev.donemdev.done is false',
  ]);
  await page.close();
});

test('several violations: a picker; a lasso trace shows its prefix, then the cycle', { skip }, async () => {
  const analysis = checked(UAF_MODEL);
  const baseline = analysis.engine!.proposals[0];
  const lasso = baseline.trace!.slice(0, 2).map((s) => ({ ...s }));
  baseline.violations = [
    { kind: baseline.kind!, message: baseline.message!, violationStart: baseline.violationStart!, violationEnd: baseline.violationEnd!, trace: baseline.trace! },
    { kind: 'assertion', message: 'cpu1 makes no progress', violationStart: lasso[1].start, violationEnd: lasso[1].end, trace: lasso, cycleStart: 1 },
  ];
  const data = traceViewData(analysis);
  assert.ok(data);
  const { page, posted } = await openPage();
  await showTrace(page, data);
  assert.equal(await page.$$eval('.marker', (nodes) => nodes.length), 0);
  await page.selectOption('.violation-picker', '1');
  assert.deepEqual(posted[posted.length - 1], { type: 'violation', index: 1 });
  await page.waitForSelector('.marker.cycle-start');
  assert.deepEqual(await page.$$eval('.grid > *', (nodes) => nodes.filter((n) => n.matches('.marker, .step')).map((n) => n.classList.contains('marker') ? n.textContent : `step ${n.getAttribute('data-index')}${n.classList.contains('in-cycle') ? ' in cycle' : ''}`)), [
    'step 0',
    '↻ From here the steps repeat forever:',
    'step 1 in cycle',
    '↻ Back to step 2, forever',
  ]);
  assert.equal(await page.textContent('.boom'), '✗ cpu1 makes no progress');
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
