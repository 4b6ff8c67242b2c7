// Reading what the workbench shows for the product's features: the status bar item, code lenses,
// a line's text with its inlay hints, the position of a word on a line, the trace view's page and
// the suggest widget. Like workbench.mjs, every function reads or does one thing; checks assert.
import { sleep } from './process.mjs';
import { SELECTORS } from './workbench.mjs';

const STATUS_ITEM = '[id="lifetime-review.lifetime-review.lifetime.status"]';

/** The text of the extension's status bar item, or '' when it is hidden. */
export async function statusBarText(page) {
  const item = page.locator(STATUS_ITEM);
  if ((await item.count()) === 0 || !(await item.isVisible())) return '';
  return (await item.innerText()).trim();
}

/** Waits until the status bar item's text satisfies `predicate`; returns the last text seen. */
export async function waitForStatus(page, predicate, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let text = await statusBarText(page);
  while (!predicate(text) && Date.now() < deadline) {
    await sleep(100);
    text = await statusBarText(page);
  }
  return text;
}

export async function clickStatusBar(page) {
  await page.locator(`${STATUS_ITEM} a, ${STATUS_ITEM}`).first().click();
}

/** The code lenses in view in the active editor, each as its list of titles. */
export async function codeLensTitles(page) {
  return page.$$eval(`${SELECTORS.editor} .codelens-decoration`, (lenses) =>
    lenses.filter((lens) => getComputedStyle(lens).visibility !== 'hidden').map((lens) => [...lens.querySelectorAll('a')].map((a) => a.textContent.trim())));
}

/** Waits until some lens in view has a title matching `pattern`; returns its titles, or undefined. */
export async function waitForLens(page, pattern, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await codeLensTitles(page)).find((titles) => titles.some((title) => pattern.test(title)));
    if (found || Date.now() > deadline) return found;
    await sleep(200);
  }
}

/** Clicks the code lens titled `title` in view. */
export async function clickLens(page, title) {
  await page.locator(`${SELECTORS.editor} .codelens-decoration a`, { hasText: title }).first().click();
}

/** The rendered text of 1-based `line` of the active editor (inlay hints included), or undefined when it is not in view. */
export async function lineText(page, line) {
  return page.evaluate(({ editor, lineNumber, line }) => {
    const active = document.querySelector(editor);
    if (!active) return undefined;
    const gutter = [...active.querySelectorAll(lineNumber)].find((element) => Number(element.textContent.trim()) === line);
    if (!gutter) return undefined;
    const top = gutter.getBoundingClientRect().top;
    const row = [...active.querySelectorAll('.view-line')].find((element) => Math.abs(element.getBoundingClientRect().top - top) < 3);
    // Inlay hints are set off by a narrow space of their own: any run of spaces reads as one.
    return row ? row.textContent.replace(/[\s\u00a0\u2000-\u200b]+/g, ' ') : undefined;
  }, { editor: SELECTORS.editor, lineNumber: SELECTORS.lineNumber, line });
}

/** The 1-based number of the first line in view whose text contains `needle`, or undefined. */
export async function lineNumberOf(page, needle) {
  return page.evaluate(({ editor, lineNumber, needle }) => {
    const active = document.querySelector(editor);
    if (!active) return undefined;
    const rows = [...active.querySelectorAll('.view-line')];
    for (const gutter of active.querySelectorAll(lineNumber)) {
      const top = gutter.getBoundingClientRect().top;
      const row = rows.find((element) => Math.abs(element.getBoundingClientRect().top - top) < 3);
      if (row && row.textContent.replace(/\u00a0/g, ' ').includes(needle)) return Number(gutter.textContent.trim());
    }
    return undefined;
  }, { editor: SELECTORS.editor, lineNumber: SELECTORS.lineNumber, needle });
}

/** The screen box of the first occurrence of `word` on 1-based `line` of the active editor. */
export async function wordBox(page, line, word) {
  return page.evaluate(({ editor, lineNumber, line, word }) => {
    const active = document.querySelector(editor);
    const gutter = [...active.querySelectorAll(lineNumber)].find((element) => Number(element.textContent.trim()) === line);
    if (!gutter) return undefined;
    const top = gutter.getBoundingClientRect().top;
    const row = [...active.querySelectorAll('.view-line')].find((element) => Math.abs(element.getBoundingClientRect().top - top) < 3);
    if (!row) return undefined;
    // The line's text is split over one node per token: find the word in their concatenation.
    const nodes = [];
    const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    const full = nodes.map((node) => node.textContent.replace(/\u00a0/g, ' ')).join('');
    const at = full.indexOf(word);
    if (at < 0) return undefined;
    const locate = (offset) => {
      let seen = 0;
      for (const node of nodes) {
        if (offset <= seen + node.textContent.length) return { node, offset: offset - seen };
        seen += node.textContent.length;
      }
      return { node: nodes[nodes.length - 1], offset: nodes[nodes.length - 1].textContent.length };
    };
    const start = locate(at);
    const end = locate(at + word.length);
    const range = document.createRange();
    range.setStart(start.node, start.offset);
    range.setEnd(end.node, end.offset);
    const box = range.getBoundingClientRect();
    return { x: box.left, y: box.top, width: box.width, height: box.height };
    return undefined;
  }, { editor: SELECTORS.editor, lineNumber: SELECTORS.lineNumber, line, word });
}

/** Moves the mouse onto `word` on `line` and returns the text of the hover that opens. */
export async function hoverWord(page, line, word) {
  const sameBox = (a, b) => a !== undefined && b !== undefined && Math.abs(a.x - b.x) < 1 && Math.abs(a.y - b.y) < 1;
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(1, 1);
    await page.locator(SELECTORS.hover).first().waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
    // The editor may still be scrolling to the line, or code lenses and inlay hints may still be
    // moving it: wait until the word stays put before pointing at it.
    let box = await wordBox(page, line, word);
    for (let settle = 0; settle < 20; settle++) {
      await sleep(250);
      const again = await wordBox(page, line, word);
      if (sameBox(box, again)) break;
      box = again;
    }
    if (!box) throw new Error(`"${word}" is not on line ${line} in view`);
    await page.mouse.move(box.x + Math.min(box.width / 2, 8), box.y + box.height / 2, { steps: 4 });
    const hover = page.locator(SELECTORS.hover).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(1000);
    const text = await hover.innerText({ timeout: 5_000 });
    // The word moved while the mouse travelled: the hover is about whatever took its place.
    if (sameBox(box, await wordBox(page, line, word)) || attempt === 3) return text;
  }
}

/** The innermost frame of the trace view (its page has the trace's root), waiting for it. */
export async function traceFrame(page, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      const isTrace = await frame.evaluate(() => document.querySelector('#root header.summary') !== null).catch(() => false);
      if (isTrace) return frame;
    }
    if (Date.now() > deadline) throw new Error('the trace view did not show a trace');
    await sleep(250);
  }
}

/** What the trace view shows, measured where the user sees it. */
export async function traceViewState(frame) {
  return frame.evaluate(() => {
    const text = (selector) => document.querySelector(selector)?.textContent ?? '';
    const all = (selector) => [...document.querySelectorAll(selector)];
    const scroller = document.querySelector('.scroller');
    const view = scroller?.getBoundingClientRect();
    const inView = (element) => {
      const box = element.getBoundingClientRect();
      return view !== undefined && box.top >= view.top - 1 && box.bottom <= view.bottom + 1;
    };
    const lineHeight = (element) => parseFloat(getComputedStyle(element).lineHeight) || parseFloat(getComputedStyle(element).fontSize) * 1.3;
    const lines = all('.step .action, .step .effects').map((element) => Math.round(element.getBoundingClientRect().height / lineHeight(element)));
    const failing = document.querySelector('.step.failing');
    const blocked = document.querySelector('.blocked');
    return {
      title: text('h1'),
      verdict: text('.verdict'),
      actors: all('.head.actor').map((element) => element.textContent),
      stateColumns: all('.head.variable').length,
      steps: all('.step').length,
      failingSteps: all('.step.failing').length,
      failingInView: failing ? inView(failing.firstElementChild) : false,
      blocked: all('.blocked .cell.event').map((element) => element.textContent),
      blockedInView: blocked ? inView(blocked.firstElementChild) : false,
      width: document.documentElement.clientWidth,
      overflow: scroller ? scroller.scrollWidth - scroller.clientWidth : 0,
      maxLinesPerStep: Math.max(0, ...lines),
      boom: text('.boom'),
    };
  });
}

/** Whether the trace view's thread headers stay in view when its steps scroll. */
export async function traceHeadersStick(frame) {
  return frame.evaluate(() => {
    const scroller = document.querySelector('.scroller');
    const head = document.querySelector('.head.actor');
    const before = head.getBoundingClientRect().top;
    const start = scroller.scrollTop;
    scroller.scrollTop = scroller.scrollHeight;
    const scrolled = scroller.scrollTop !== start;
    const after = head.getBoundingClientRect().top;
    scroller.scrollTop = start;
    return { scrolled, before, after };
  });
}

/** The rows of the open suggest widget: `{ label, kind, detail }` from their ARIA labels and text. */
export async function suggestRows(page) {
  return page.$$eval('.suggest-widget .monaco-list-row', (rows) =>
    rows.map((row) => {
      const [label, kind] = (row.getAttribute('aria-label') ?? '').split(', ');
      return { label, kind, text: row.innerText.replace(/\n/g, ' | ') };
    }));
}

/** The text of the active editor's lines in view, joined by newlines (inlay hints included). */
export async function editorText(page) {
  return page.$$eval(`${SELECTORS.editor} .view-line`, (rows) =>
    rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((row) => row.textContent.replace(/\u00a0/g, ' ')).join('\n'));
}
