// Drives the VS Code workbench that code-server serves, in headless Debian Chromium through
// playwright-core. Every function here reads or does one thing in the UI; the checks that assert
// live in checks.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { firstLine, retry, sleep } from './process.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const SELECTORS = {
  workbench: '.monaco-workbench',
  explorerRow: '.explorer-folders-view .monaco-list-row',
  quickInput: '.quick-input-widget input',
  quickInputRow: '.quick-input-list .monaco-list-row',
  editor: '.editor-group-container.active .monaco-editor',
  errorSquiggle: '.squiggly-error',
  lineNumber: '.margin-view-overlays .line-numbers',
  hover: '.monaco-hover:not(.hidden)',
  problemRow: '.markers-panel .monaco-list-row',
  actionRow: '.action-widget .monaco-list-row.action',
  webview: 'iframe.webview.ready',
};

/** Opens headless Chromium with a fresh profile under `profileDir`. */
export async function launchBrowser(profileDir, env) {
  fs.mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page };
}

/** Loads the workbench and waits until the explorer shows the folder, i.e. the server connection is up. */
export async function openWorkbench(page, url) {
  await page.goto(url);
  await page.waitForSelector(SELECTORS.workbench, { timeout: 60_000 });
  await page.waitForSelector(SELECTORS.explorerRow, { timeout: 60_000 });
}

/**
 * Opens `fileName` through Quick Open. Retried, because on a fresh profile a late editor (a
 * walkthrough, release notes) can take the focus away from the Quick Open input.
 */
export async function openFile(page, fileName, log) {
  await retry(`quick open ${fileName}`, 3, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator(SELECTORS.quickInput);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(fileName);
    await page.locator(`${SELECTORS.quickInputRow}[aria-label*="${fileName}"]`).first().waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator(`.tab[aria-label*="${fileName}"]`).first().waitFor({ timeout: 15_000 });
  }, log);
}

/** Runs a command by its title from the command palette. */
export async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator(SELECTORS.quickInput);
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator(SELECTORS.quickInputRow, { hasText: title }).first();
  await row.waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * Moves the cursor to the start of 1-based `line` with Go to Line, which scrolls it into view.
 * Enter only navigates once the picker has taken the typed line in (its input is then labelled
 * "Go to line N"); pressed earlier, it leaves the picker open. Retried, as a setup step.
 */
export async function revealLine(page, line, log) {
  await retry(`go to line ${line}`, 3, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+G');
    const input = page.locator(SELECTORS.quickInput);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${line}`);
    await page.waitForFunction(({ selector, label }) => {
      const element = document.querySelector(selector);
      return element !== null && (element.getAttribute('aria-label') ?? '').includes(label);
    }, { selector: SELECTORS.quickInput, label: `line ${line}.` }, { timeout: 10_000 });
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: 5_000 });
  }, log);
}

/** Focuses the editor tab of `fileName`. */
export async function focusEditor(page, fileName) {
  // A hover left open by the previous step would take the click.
  await page.mouse.move(1, 1);
  await page.keyboard.press('Escape');
  await page.locator(SELECTORS.hover).first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  await page.locator(`.tab[aria-label*="${fileName}"]`).first().click();
  await page.locator(SELECTORS.editor).first().waitFor({ timeout: 10_000 });
  // Away from the tab, whose tooltip would otherwise cover the editor in screenshots.
  await page.mouse.move(24, 700);
}

/**
 * The error squiggles of the active editor with the 1-based line each sits on, found by matching a
 * squiggle's vertical centre against that same editor's line-number gutter (code lenses sit in
 * view zones between lines, so counting rows from the top would be wrong).
 */
export async function errorSquiggles(page) {
  return page.evaluate(({ editor, squiggle, lineNumber }) => {
    const active = document.querySelector(editor);
    if (!active) return [];
    const gutter = [...active.querySelectorAll(lineNumber)].map((element) => {
      const box = element.getBoundingClientRect();
      return { line: Number(element.textContent.trim()), top: box.top, bottom: box.bottom };
    });
    return [...active.querySelectorAll(squiggle)].map((element) => {
      const box = element.getBoundingClientRect();
      const middle = box.top + box.height / 2;
      const row = gutter.find((g) => middle >= g.top && middle < g.bottom);
      return { line: row ? row.line : -1, x: box.left, y: box.top, width: box.width, height: box.height };
    });
  }, { editor: SELECTORS.editor, squiggle: SELECTORS.errorSquiggle, lineNumber: SELECTORS.lineNumber });
}

/** Waits until `predicate(squiggles)` holds, or the timeout ends; returns the last squiggles seen. */
export async function waitForSquiggles(page, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let squiggles = await errorSquiggles(page);
  while (!predicate(squiggles) && Date.now() < deadline) {
    await sleep(250);
    squiggles = await errorSquiggles(page);
  }
  return squiggles;
}

/**
 * Moves the mouse onto a squiggle and returns the text of the hover that opens. The squiggle is
 * under the text layer, so `locator.hover()` would refuse; the mouse moves to its box instead.
 * Retried, because a hover that opens while the editor still settles can close again at once.
 */
export async function hoverText(page, squiggle, log) {
  return retry('open the hover on the squiggle', 3, async () => {
    await page.mouse.move(1, 1);
    await page.locator(SELECTORS.hover).first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    await page.mouse.move(squiggle.x + Math.min(squiggle.width / 2, 12), squiggle.y + squiggle.height / 2 - 4, { steps: 4 });
    const hover = page.locator(SELECTORS.hover).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    // The hover fills in as providers answer; give the slower ones a moment to contribute.
    await sleep(1000);
    return hover.innerText({ timeout: 5_000 });
  }, log);
}

/**
 * Opens the Problems panel and returns every row of its tree once at least one is shown, in order,
 * as `{ index, text, severity }`, severity being `error`, `warning`, `info` or undefined. Under a
 * file's row come its diagnostics' rows, each followed by its related-information rows (for this
 * product, the trace steps). The tree only renders the rows in view, so the list is scrolled from
 * top to bottom and the rows are collected by their index.
 */
export async function problemRows(page, timeoutMs = 20_000) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+Shift+M');
  const rows = page.locator(SELECTORS.problemRow);
  await rows.first().waitFor({ timeout: timeoutMs });
  await sleep(500);
  const list = page.locator('.markers-panel .monaco-list').first();
  const box = await list.boundingBox();
  if (!box) throw new Error('the Problems tree has no size');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  // The tree may still be revealing the active file's markers: scroll up until its first row shows.
  const firstRow = page.locator(`${SELECTORS.problemRow}[data-index="0"]`);
  for (let attempt = 0; attempt < 10; attempt++) {
    await page.mouse.wheel(0, -100_000);
    await sleep(200);
    if (await firstRow.count()) break;
  }
  const seen = new Map();
  for (let unchanged = 0, steps = 0; unchanged < 2 && steps < 100; steps++) {
    const visible = await rows.evaluateAll((elements) => elements.map((element) => {
      const icon = element.querySelector('.codicon-error, .codicon-warning, .codicon-info');
      const severity = icon ? ['error', 'warning', 'info'].find((name) => icon.classList.contains(`codicon-${name}`)) : undefined;
      return {
        index: Number(element.getAttribute('data-index')),
        text: element.innerText.replace(/\s*\n\s*/g, ' | '),
        severity,
      };
    }));
    const before = seen.size;
    for (const row of visible) seen.set(row.index, row);
    unchanged = seen.size === before ? unchanged + 1 : 0;
    await page.mouse.wheel(0, box.height / 3);
    await sleep(150);
  }
  await page.mouse.wheel(0, -100_000);
  return [...seen.values()].sort((a, b) => a.index - b.index);
}

/** Closes the panel (Problems, Output) so that it no longer covers the editor. */
export async function closePanel(page) {
  await page.keyboard.press('Escape');
  await page.evaluate(() => {
    const close = document.querySelector('.part.panel .action-label.codicon-panel-close, .part.panel .codicon-close');
    if (close instanceof HTMLElement) close.click();
  });
}

/**
 * Places the cursor on a squiggle, opens the quick-fix menu with Ctrl+. and returns the titles of
 * its actions, preferred ones first, which is the order VS Code sorts them in.
 */
export async function openQuickFixMenu(page, squiggle) {
  await page.mouse.click(squiggle.x + Math.min(squiggle.width / 2, 12), squiggle.y + squiggle.height / 2 - 4);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+.');
  const rows = page.locator(SELECTORS.actionRow);
  await rows.first().waitFor({ state: 'visible', timeout: 20_000 });
  await sleep(300);
  return (await rows.allInnerTexts()).map((text) => text.trim());
}

/**
 * Chooses the action at `index` (0 is the first) of the open quick-fix menu with the keyboard: the
 * menu opens with its first action focused, and a click would land on the pointer block that
 * covers the page while the menu is open. Returns the title of the action chosen.
 */
export async function chooseQuickFix(page, index) {
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  const focused = page.locator(`${SELECTORS.actionRow}.focused`).first();
  await focused.waitFor({ state: 'visible', timeout: 5_000 });
  const title = (await focused.getAttribute('aria-label')) ?? (await focused.innerText()).trim();
  await page.keyboard.press('Enter');
  await page.locator(SELECTORS.actionRow).first().waitFor({ state: 'hidden', timeout: 10_000 });
  return title;
}

/** Whether the editor tab of `fileName` shows unsaved changes. */
export async function isDirty(page, fileName) {
  return (await page.locator(`.tab.dirty[aria-label*="${fileName}"]`).count()) > 0;
}

/**
 * The text of the innermost document of the newest webview, waiting for it to contain every one of
 * `expected`. Webviews sit in an iframe that holds another iframe with the extension's HTML.
 */
export async function webviewText(page, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = '';
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || !frame.url().includes('fake.html') && !frame.url().includes('webview')) continue;
      const body = await frame.evaluate(() => document.body ? document.body.innerText : '').catch(() => '');
      if (body.length > text.length) text = body;
    }
    if (expected.every((word) => text.includes(word))) return text;
    await sleep(250);
  }
  return text;
}

/** Saves a screenshot under `dir` as NAME.png and returns its path; never throws. */
export async function screenshot(page, dir, name, log) {
  const file = path.join(dir, `${name}.png`);
  try {
    await page.screenshot({ path: file });
  } catch (error) {
    log(`screenshot ${name} failed: ${firstLine(error)}`);
  }
  return file;
}
