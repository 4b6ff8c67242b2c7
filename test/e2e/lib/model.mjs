// The model the end-to-end tests open, and what the editor must show for it.
//
// The file is the gallery model examples/iommu-release-device-ordering.lifetime as a reviewer has it
// while the review is still open: without its `expect baseline:` line, so that the baseline's
// use-after-free is an unexpected violation (an error) rather than a documented one (a warning).
// Line numbers are read from the text, so that they follow edits to the gallery file.
import fs from 'node:fs';
import path from 'node:path';

const GALLERY_MODEL = 'examples/iommu-release-device-ordering.lifetime';

/**
 * Returns the model and its expectations:
 * - `violationLine` (1-based): the `use` step of the baseline that runs after the free;
 * - `problems`: the Problems rows, `{ code, line, severity, text }`, in the panel's order;
 * - `threads`: the baseline's thread names, the columns of the trace view;
 * - `fix`: the title the preferred quick fix must have, the fix that must not be offered, and the
 *   Problems rows that remain once the preferred fix is applied (see FIX below).
 */
export function loadModel(repoRoot) {
  const file = path.join(repoRoot, GALLERY_MODEL);
  if (!fs.existsSync(file)) throw new Error(`the e2e model ${GALLERY_MODEL} does not exist`);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const expectBaseline = lines.findIndex((line) => /^\s*expect\s+baseline\s*:/.test(line));
  if (expectBaseline < 0) throw new Error(`${GALLERY_MODEL} has no \`expect baseline:\` line to leave out`);
  const text = lines.filter((_, index) => index !== expectBaseline).join('\n');

  const kept = text.split('\n');
  const baselineEnd = kept.findIndex((line) => /^\s*proposal\b/.test(line));
  const baseline = baselineEnd < 0 ? kept : kept.slice(0, baselineEnd);
  const useIndex = baseline.findIndex((line) => /(^\s*|[{;]\s*)use\s+[A-Za-z_]/.test(codeOf(line)));
  if (useIndex < 0) throw new Error(`${GALLERY_MODEL} has no \`use\` statement before its first proposal`);
  const threads = baseline
    .map((line) => /^\s*thread\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(codeOf(line))?.[1])
    .filter((name) => name !== undefined);
  if (threads.length < 2) throw new Error(`${GALLERY_MODEL} declares fewer than two threads`);
  const violationLine = useIndex + 1;

  const proposals = kept.map((line) => /^\s*proposal\s+([A-Za-z_]\w*)/.exec(codeOf(line))?.[1]).filter((name) => name !== undefined);
  const expectations = new Map(kept.flatMap((line) => {
    const match = /^\s*expect\s+([A-Za-z_]\w*)\s*:\s*([a-z-]+)/.exec(codeOf(line));
    return match ? [[match[1], match[2]]] : [];
  }));
  for (const name of [...FIX.offered, FIX.refused, FIX.keepsItsViolation]) {
    if (!proposals.includes(name)) throw new Error(`${GALLERY_MODEL} no longer has proposal ${name}; update FIX in test/e2e/lib/model.mjs`);
  }
  if (expectations.get(FIX.keepsItsViolation) !== 'use-after-free') {
    throw new Error(`${GALLERY_MODEL} no longer expects a use-after-free in ${FIX.keepsItsViolation}; update FIX in test/e2e/lib/model.mjs`);
  }
  const remaining = { code: 'LT3001', severity: 'info', text: new RegExp(`use-after-free in proposal ${FIX.keepsItsViolation}\\b.*\\(as expected\\)`) };
  const modelLine = kept.findIndex((line) => /^\s*model\s/.test(codeOf(line))) + 1;

  return {
    source: `${GALLERY_MODEL} without line ${expectBaseline + 1} (${lines[expectBaseline].trim()})`,
    fileName: path.basename(GALLERY_MODEL),
    text,
    violationLine,
    modelLine,
    violationCode: 'LT3001',
    violationKind: /use[- ]after[- ]free/i,
    // What server/src/core/report/verdictDiagnostics.ts publishes, in the CLI's words: the
    // baseline's violation has no expectation, hence an error on its step and another on the model
    // line; proposal list_del_init_unlocked reaches the same step and its use-after-free is what
    // the file expects, hence a note (severity info). VS Code lists errors before notes, each
    // severity by line, and each diagnostic's trace steps as child rows, which are not listed here.
    problems: [
      { code: 'LT3502', line: modelLine, severity: 'error', text: /^the baseline has a use-after-free and no expectation names it/ },
      { code: 'LT3001', line: violationLine, severity: 'error', text: /^use-after-free in the baseline: use dom\b/ },
      { code: 'LT3001', line: violationLine, severity: 'info', text: remaining.text },
    ],
    threads,
    fix: {
      // The preferred fix: a proposal applied to the baseline, verified on every proposal.
      preferred: new RegExp(`^Apply proposal (${FIX.offered.join('|')}) to the baseline — verified: baseline safe \\([\\d,]+ states\\), no new errors$`),
      refused: new RegExp(`^Apply proposal ${FIX.refused}\\b`),
      // After the fix: the baseline is safe, the documented use-after-free stays a note.
      remaining: [remaining],
    },
  };
}

/**
 * The quick fixes of the baseline's use-after-free, as the language server must judge them:
 * applying any of the three safe proposals to the baseline removes the violation, hold_group_mutex also
 * makes list_del_init_unlocked safe, whose expected use-after-free would then be an unmet
 * expectation (a new error), so it must not be offered; the two others keep every other proposal's
 * verdict as the file documents it, and list_del_init_unlocked keeps its expected use-after-free.
 */
const FIX = {
  offered: ['driver_domain_refcount', 'list_del_init_locked'],
  refused: 'hold_group_mutex',
  keepsItsViolation: 'list_del_init_unlocked',
};

function codeOf(line) {
  const comment = line.indexOf('//');
  return comment < 0 ? line : line.slice(0, comment);
}
