// The end-to-end checks, in the order a reviewer meets the features: the squiggle on the violating
// step, its hover, the Problems panel, the trace view, and a quick fix that is applied and
// re-checked. Each check asserts once; only UI navigation around them may wait or retry.
import assert from 'node:assert/strict';
import {
  chooseQuickFix, closePanel, errorSquiggles, focusEditor, hoverText, isDirty, openFile, openQuickFixMenu,
  problemRows, revealLine, runCommand, waitForSquiggles, webviewText,
} from './workbench.mjs';

const DIAGNOSTICS_TIMEOUT_MS = 60_000;
const RECHECK_TIMEOUT_MS = 30_000;

/** A Problems row parsed into code, 1-based line and severity, or undefined for a file header row. */
export function parseProblemRow({ text, severity }) {
  const position = /\[Ln (\d+), Col (\d+)\]/.exec(text);
  if (!position) return undefined;
  return { code: /\bLT\d{4}\b/.exec(text)?.[0], line: Number(position[1]), severity, text };
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

  const squiggleShown = await reporter.check(`error squiggle on the violating step (line ${model.violationLine})`, async () => {
    await revealLine(page, model.violationLine);
    const squiggles = await waitForSquiggles(page, onViolation, DIAGNOSTICS_TIMEOUT_MS);
    assert.ok(onViolation(squiggles), `no error squiggle on line ${model.violationLine}; squiggles on: ${describeSquiggles(squiggles)}`);
  });

  await reporter.check('hover on the squiggle shows the violation', async () => {
    const squiggle = await violationSquiggle();
    assert.ok(squiggle, 'there is no squiggle to hover');
    const text = await hoverText(page, squiggle);
    log(`hover: ${JSON.stringify(text.slice(0, 400))}`);
    assert.match(text, model.violationKind, `the hover does not name the violation:\n${text}`);
  });

  await reporter.check('Problems panel lists the violation at its step', async () => {
    const rows = await problemRows(page);
    log(`problems: ${JSON.stringify(rows)}`);
    const markers = rows.map(parseProblemRow).filter((row) => row !== undefined);
    assert.deepEqual(markers.map(({ code, line, severity }) => ({ code, line, severity })),
      model.problems.map(({ code, line, severity }) => ({ code, line, severity })), `Problems rows:\n${describeRows(rows)}`);
    model.problems.forEach((expected, index) => assert.match(markers[index].text, expected.text));
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

  if (features.includes('quickfix') && squiggleShown) {
    await reporter.check('preferred quick fix applies and the file re-checks clean', async () => {
      await revealLine(page, model.violationLine);
      const squiggle = await violationSquiggle();
      assert.ok(squiggle, 'there is no squiggle to fix');
      const titles = await openQuickFixMenu(page, squiggle);
      log(`quick fixes (preferred first): ${JSON.stringify(titles)}`);
      assert.ok(titles.length > 0, 'Ctrl+. offers no quick fix on the violating step');
      await chooseQuickFix(page, 0);
      const after = await waitForSquiggles(page, (squiggles) => !onViolation(squiggles), RECHECK_TIMEOUT_MS);
      assert.ok(!onViolation(after), `the squiggle on line ${model.violationLine} remains after "${titles[0]}"`);
      assert.ok(await isDirty(page, model.fileName), 'the fix did not edit the file');
      const rows = await problemRows(page, 5_000).catch(() => []);
      const violations = rows.map(parseProblemRow).filter((row) => row !== undefined && row.code?.startsWith('LT30'));
      assert.deepEqual(violations, [], 'violations remain in the Problems panel');
    });
    await reporter.check('the applied fix leaves no error behind', async () => {
      const rows = await problemRows(page, 5_000).catch(() => []);
      log(`problems after the fix: ${JSON.stringify(rows)}`);
      const errors = rows.map(parseProblemRow).filter((row) => row !== undefined && row.severity === 'error');
      assert.deepEqual(errors, [], `error rows after the fix:\n${describeRows(errors)}`);
    });
    await closePanel(page);

    await reporter.check('undoing the fix brings the violation back', async () => {
      await focusEditor(page, model.fileName);
      await page.keyboard.press('Control+Z');
      await revealLine(page, model.violationLine);
      const squiggles = await waitForSquiggles(page, onViolation, RECHECK_TIMEOUT_MS);
      assert.ok(onViolation(squiggles), `after undo, squiggles on: ${describeSquiggles(squiggles)}`);
      assert.ok(!(await isDirty(page, model.fileName)), 'undo did not return the file to its saved text');
    });
  }
}
