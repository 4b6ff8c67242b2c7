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
 * - `threads`: the baseline's thread names, the columns of the trace view.
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

  return {
    source: `${GALLERY_MODEL} without line ${expectBaseline + 1} (${lines[expectBaseline].trim()})`,
    fileName: path.basename(GALLERY_MODEL),
    text,
    violationLine,
    violationCode: 'LT3001',
    violationKind: /use[- ]after[- ]free/i,
    // The baseline's violation is an error; proposal list_del_init_unlocked reaches the same step
    // and its use-after-free is expected, hence a warning.
    problems: [
      { code: 'LT3001', line: violationLine, severity: 'error', text: /use-after-free in baseline/ },
      { code: 'LT3001', line: violationLine, severity: 'warning', text: /use-after-free in proposal list_del_init_unlocked/ },
    ],
    threads,
  };
}

function codeOf(line) {
  const comment = line.indexOf('//');
  return comment < 0 ? line : line.slice(0, comment);
}
