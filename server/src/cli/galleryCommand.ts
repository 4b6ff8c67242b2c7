// `lifetime gallery <directory> [-o page.md]`: checks every model in the directory and renders the
// gallery page (the question, the verdict table and each violation's trace of every model).

import fs from 'node:fs';
import path from 'node:path';
import { checkModel } from '../core/engine/index';
import { renderGallery, type GalleryEntry } from '../core/report/gallery';
import { checkFile } from '../core/semantic/checker';
import { parse } from '../core/syntax/parser';
import type { GalleryCommand } from './args';
import type { CommandOutput } from './exportCommand';
import { formatDiagnosticText } from './formatText';
import { prepareC, problemLines } from './cSupport';
import { collectInputs } from './inputs';
import { internalErrorLines, newReport } from './report';
import { DEFAULT_BUDGETS } from '../core/engine/budgets';
import { modelVerdictDiagnostics } from '../core/report/verdictDiagnostics';

/** The link from the page to a model: relative to the page's folder, with forward slashes. */
function linkFrom(pageDirectory: string, modelPath: string): string {
  return path.relative(pageDirectory, path.resolve(modelPath)).split(path.sep).join('/');
}

/** The model's folder relative to the gallery's (a file argument's own folder), with forward slashes. */
function folderOf(galleryPath: string, modelPath: string): string {
  const base = fs.statSync(galleryPath).isDirectory() ? galleryPath : path.dirname(galleryPath);
  return path.relative(path.resolve(base), path.dirname(path.resolve(modelPath))).split(path.sep).join('/');
}

export async function runGallery(command: GalleryCommand): Promise<CommandOutput> {
  const inputs = collectInputs([command.path], { cFiles: false });
  if (inputs.problems.length > 0) {
    return { stdout: '', stderr: inputs.problems.map((p) => `lifetime: ${p.path}: ${p.reason}\n`).join(''), exitCode: 2 };
  }
  const models = inputs.files.filter((file) => file.language === 'lifetime').sort((a, b) => a.path.localeCompare(b.path));
  if (models.length === 0) return { stdout: '', stderr: `lifetime: ${command.path}: no .lifetime files to show\n`, exitCode: 2 };

  const c = await prepareC({ apiFiles: command.apiFiles, readsCFiles: false, modelTexts: models.map((model) => model.text) });
  if (c.problems.length > 0) return { stdout: '', stderr: problemLines(c.problems), exitCode: 2 };

  const pageDirectory = path.resolve(command.output ? path.dirname(command.output) : '.');
  const entries: GalleryEntry[] = [];
  let errors = '';
  // As for `check`: the verdicts' error diagnostics (a violation no expectation names, an unmet or
  // unconfirmed expectation) fail the run; the page is still written.
  let verdictErrors = '';
  let internalErrors = '';
  for (const model of models) {
    const parsed = parse(model.text);
    const problems = [...parsed.diagnostics, ...checkFile(parsed.file).diagnostics].filter((d) => d.severity === 'error');
    if (problems.length > 0) {
      const report = newReport(model.path, model.text);
      errors += problems.map((d) => `${formatDiagnosticText(report, d)}\n`).join('');
      continue;
    }
    const result = checkModel(parsed.file, undefined, { exact: command.exact, ...DEFAULT_BUDGETS, translateC: c.translateC });
    entries.push({ link: linkFrom(pageDirectory, model.path), text: model.text, file: parsed.file, result, folder: folderOf(command.path, model.path) });
    const report = newReport(model.path, model.text);
    const failing = [...result.diagnostics, ...modelVerdictDiagnostics(parsed.file, model.text, result.proposals)].filter((d) => d.severity === 'error');
    verdictErrors += failing.map((d) => `${formatDiagnosticText(report, d)}\n`).join('');
    report.proposals.push(...result.proposals);
    internalErrors += internalErrorLines([report]).join('');
  }
  if (errors) return { stdout: '', stderr: `${errors}lifetime: fix the errors above; no gallery was written\n`, exitCode: 1 };

  const page = renderGallery(entries);
  // An engine failure is never a pass (LT3506): exit code 2, as for `lifetime check`.
  const exitCode = internalErrors ? 2 : verdictErrors ? 1 : 0;
  const notes = (c.warning ?? '') + verdictErrors + internalErrors;
  if (command.output === undefined) return { stdout: page, stderr: notes, exitCode };
  try {
    fs.writeFileSync(command.output, page);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : error instanceof Error ? error.message : String(error);
    return { stdout: '', stderr: `lifetime: cannot write ${command.output}: ${reason}\n`, exitCode: 2 };
  }
  return { stdout: '', stderr: `${notes}lifetime: wrote ${command.output}\n`, exitCode };
}
