// The end-to-end checks, in the order a reviewer meets the features: the squiggle on the violating
// step, its hover, the Problems panel, the trace view, and a quick fix that is applied and
// re-checked. Each check asserts once; only UI navigation around them may wait or retry.
import assert from 'node:assert/strict';
import {
  chooseQuickFix, closePanel, errorSquiggles, focusEditor, hoverText, isDirty, openFile, openQuickFixMenu,
  problemRows, revealLine, runCommand, waitForSquiggles, webviewText,
} from './workbench.mjs';
import { codeLensTitles, waitForLens } from './probes.mjs';

const DIAGNOSTICS_TIMEOUT_MS = 60_000;
const RECHECK_TIMEOUT_MS = 30_000;

/**
 * The diagnostics among the Problems rows, each parsed into code, 1-based line, severity, text and
 * the related-information rows listed under it (the trace steps). A diagnostic's row has a severity
 * icon; a related-information row has none but a position; a file's row has neither.
 */
export function problemMarkers(rows) {
  const markers = [];
  for (const row of rows) {
    const position = /\[Ln (\d+), Col (\d+)\]/.exec(row.text);
    if (row.severity) {
      markers.push({ code: /\bLT\d{4}\b/.exec(row.text)?.[0], line: position ? Number(position[1]) : undefined, severity: row.severity, text: row.text, related: [] });
    } else if (position && markers.length > 0) {
      markers[markers.length - 1].related.push(row.text);
    }
  }
  return markers;
}

function describeRows(rows) {
  return rows.map((row) => `${row.severity ?? '-'}: ${row.text}`).join('\n') || '(no rows)';
}

function describeSquiggles(squiggles) {
  return squiggles.length ? squiggles.map((s) => `line ${s.line}`).join(', ') : 'none';
}

/**
 * Runs the checks against the open model editor. `features` limits them: the smoke run of the
 * harness itself uses a throwaway extension that only publishes diagnostics.
 */
export async function runChecks({ page, reporter, model, log, features }) {
  const onViolation = (squiggles) => squiggles.some((s) => s.line === model.violationLine);
  const violationSquiggle = async () => (await errorSquiggles(page)).find((s) => s.line === model.violationLine);

  await reporter.check(`error squiggle on the violating step (line ${model.violationLine})`, async () => {
    await revealLine(page, model.violationLine, log);
    const squiggles = await waitForSquiggles(page, onViolation, DIAGNOSTICS_TIMEOUT_MS);
    assert.ok(onViolation(squiggles), `no error squiggle on line ${model.violationLine}; squiggles on: ${describeSquiggles(squiggles)}`);
  });

  await reporter.check('hover on the squiggle shows the violation', async () => {
    const squiggle = await violationSquiggle();
    assert.ok(squiggle, 'there is no squiggle to hover');
    const text = await hoverText(page, squiggle, log);
    log(`hover: ${JSON.stringify(text.slice(0, 400))}`);
    assert.match(text, model.violationKind, `the hover does not name the violation:\n${text}`);
  });

  await reporter.check('Problems panel lists the violation at its step', async () => {
    const rows = await problemRows(page);
    log(`problems: ${JSON.stringify(rows)}`);
    const markers = problemMarkers(rows);
    assert.deepEqual(markers.map(({ code, line, severity }) => ({ code, line, severity })),
      model.problems.map(({ code, line, severity }) => ({ code, line, severity })), `Problems rows:\n${describeRows(rows)}`);
    model.problems.forEach((expected, index) => assert.match(markers[index].text, expected.text));
    // Each violation lists the steps of its trace under it, each naming the thread that took it.
    for (const marker of features.includes('trace') ? markers.filter((m) => /^LT30/.test(m.code)) : []) {
      assert.ok(marker.related.length > 0 && marker.related.every((step) => model.threads.some((thread) => step.includes(`${thread}: `))),
        `the trace steps under "${marker.text}" are not listed:\n${describeRows(rows)}`);
    }
  });
  await closePanel(page);

  if (features.includes('trace')) {
    await reporter.check('Lifetime: Show Trace opens the trace view with one column per thread', async () => {
      await focusEditor(page, model.fileName);
      await runCommand(page, 'Lifetime: Show Trace');
      const text = await webviewText(page, model.threads, 30_000);
      log(`trace view: ${JSON.stringify(text.slice(0, 400))}`);
      for (const thread of model.threads) assert.ok(text.includes(thread), `the trace view does not show thread ${thread}:\n${text}`);
    });
    await runCommand(page, 'View: Close All Editor Groups').catch((error) => log(`closing editors: ${error.message}`));
    await openFile(page, model.fileName, log);
  }

  if (features.includes('quickfix')) {
    let applied;
    await reporter.check('a quick fix applied and re-checked: the preferred fix is verified, the squiggle goes, no error appears', async () => {
      await revealLine(page, model.violationLine, log);
      const squiggle = await waitForSquiggles(page, onViolation, DIAGNOSTICS_TIMEOUT_MS).then((all) => all.find((s) => s.line === model.violationLine));
      assert.ok(squiggle, `there is no squiggle to fix on line ${model.violationLine}`);
      const titles = await openQuickFixMenu(page, squiggle);
      log(`quick fixes (preferred first): ${JSON.stringify(titles)}`);
      assert.ok(titles.length > 0, 'Ctrl+. offers no quick fix on the violating step');
      assert.match(titles[0], model.fix.preferred, `the first quick fix is not the expected verified one:\n${titles.join('\n')}`);
      assert.ok(!titles.some((title) => model.fix.refused.test(title)), `a fix that adds an error is offered:\n${titles.join('\n')}`);
      applied = await chooseQuickFix(page, 0);
      assert.equal(applied, titles[0], 'the focused quick fix is not the first one listed');
      const after = await waitForSquiggles(page, (squiggles) => squiggles.length === 0, RECHECK_TIMEOUT_MS);
      assert.ok(!onViolation(after), `the squiggle on line ${model.violationLine} remains after "${applied}"`);
      assert.ok(await isDirty(page, model.fileName), 'the fix did not edit the file');
      assert.deepEqual(after, [], `error squiggles after "${applied}": ${describeSquiggles(after)}`);
      // The baseline's code lens gives the state count the fix's title gave.
      const count = /baseline safe \(([\d,]+) states/.exec(applied)?.[1];
      await revealLine(page, model.modelLine, log);
      const lens = await waitForLens(page, /^✓ safe · /, RECHECK_TIMEOUT_MS);
      assert.ok(lens, `no safe verdict lens on the model line after "${applied}": ${JSON.stringify(await codeLensTitles(page))}`);
      assert.equal(lens[0], `✓ safe · ${count} states`, 'the quick fix and the code lens give different state counts');
    });
    await reporter.check('after the fix the Problems panel holds no error, only the expected note', async () => {
      assert.ok(applied, 'no fix was applied');
      const rows = await problemRows(page);
      log(`problems after "${applied}": ${JSON.stringify(rows)}`);
      const markers = problemMarkers(rows);
      assert.deepEqual(markers.filter((marker) => marker.severity === 'error').map((marker) => marker.text), [], `error rows after the fix:\n${describeRows(rows)}`);
      assert.deepEqual(markers.map(({ code, severity }) => ({ code, severity })), model.fix.remaining.map(({ code, severity }) => ({ code, severity })),
        `Problems rows after the fix:\n${describeRows(rows)}`);
      model.fix.remaining.forEach((expected, index) => assert.match(markers[index].text, expected.text));
    });
    await closePanel(page);

    await reporter.check('undoing the fix brings the violation back', async () => {
      await focusEditor(page, model.fileName);
      await page.keyboard.press('Control+Z');
      await revealLine(page, model.violationLine, log);
      const squiggles = await waitForSquiggles(page, onViolation, RECHECK_TIMEOUT_MS);
      assert.ok(onViolation(squiggles), `after undo, squiggles on: ${describeSquiggles(squiggles)}`);
      assert.ok(!(await isDirty(page, model.fileName)), 'undo did not return the file to its saved text');
    });
  }
}
