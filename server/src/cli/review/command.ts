// `lifetime review`: reads the patches (files, stdin, a git revision range or the staged changes),
// applies them in memory to the tree, and prints what each introduces, fixes and leaves. Exit
// codes: 0 nothing introduced, 1 something introduced, 2 an input error (a patch that does not
// apply, an unreadable file, a file that is not a patch).

import fs from 'node:fs';
import path from 'node:path';
import { analyzeCText } from '../../core/c/index';
import { cBodiesFor } from '../../core/features/cBodies';
import { directorySource, languageOfPath, modelTextsToCheck, parseSeries, reviewSeries, type ParsedSeries, type ReviewEnvironment, type TreeSource } from '../../core/review/index';
import { loadCFrontEnd } from '../cfiles';
import { problemLines } from '../cSupport';
import type { CommandOutput } from '../exportCommand';
import { decodeUtf8, formatBytes } from '../inputs';
import type { ReviewCommand } from './args';
import { formatReviewEmail } from './formatEmail';
import { formatReviewJson } from './formatJson';
import { formatReviewSarif } from './formatSarif';
import { formatReviewText } from './formatText';
import { gitTreeSource, isGitCheckout, rangePatches, stagedPatch } from './git';
import { checkModelsInWorkers } from './models';

/** The largest patch input read. */
const MAX_PATCH_BYTES = 64 * 1024 * 1024;

interface ReviewInput {
  series: ParsedSeries;
  source: TreeSource;
  /** What the input is called in messages: a file name, `stdin`, the range, `the staged changes`. */
  name: string;
}

function inputError(name: string, reason: string): CommandOutput {
  return { stdout: '', stderr: `lifetime: ${name}: ${reason}\n`, exitCode: 2 };
}

function readPatchText(file: string, readStdin: () => Buffer): string | { reason: string } {
  let bytes: Buffer;
  try {
    if (file === '-') bytes = readStdin();
    else {
      const stat = fs.statSync(file);
      if (stat.isDirectory()) return { reason: 'is a directory, not a patch' };
      if (!stat.isFile()) return { reason: 'is not a regular file' };
      if (stat.size > MAX_PATCH_BYTES) return { reason: `is ${formatBytes(stat.size)}, over the ${formatBytes(MAX_PATCH_BYTES)} limit` };
      bytes = fs.readFileSync(file);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { reason: code === 'EACCES' || code === 'EPERM' ? 'cannot be read: permission denied' : `cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (bytes.length > MAX_PATCH_BYTES) return { reason: `is over the ${formatBytes(MAX_PATCH_BYTES)} limit` };
  const text = decodeUtf8(bytes);
  // Mail in Latin-1 still carries its diff in ASCII; read it byte for byte rather than refuse it.
  return typeof text === 'string' ? text : new TextDecoder('latin1').decode(bytes);
}

/** Several patch files make one series, in the order given (as `git am` takes them). */
function joinSeries(parts: { series: ParsedSeries; name: string }[]): ParsedSeries {
  const joined: ParsedSeries = { patches: [], problems: [] };
  for (const part of parts) {
    for (const problem of part.series.problems) joined.problems.push({ ...problem, message: parts.length > 1 ? `${part.name}: ${problem.message}` : problem.message });
    for (const patch of part.series.patches) joined.patches.push({ ...patch, number: joined.patches.length + 1 });
    joined.coverLetter ??= part.series.coverLetter;
  }
  return joined;
}

function gatherInput(command: ReviewCommand, readStdin: () => Buffer): ReviewInput | CommandOutput {
  const tree = command.tree;
  if (command.staged) {
    if (!isGitCheckout(tree)) return inputError(tree, '--staged needs a git checkout, and this is not one');
    const staged = stagedPatch(tree);
    if ('message' in staged) return inputError(tree, staged.message);
    const series = staged.text.trim() === '' ? { patches: [], problems: [] } : parseSeries(staged.text, 'staged changes');
    return { series, source: gitTreeSource(tree, staged.base), name: 'the staged changes' };
  }
  const files = command.inputs.filter((input) => input === '-' || fs.existsSync(input));
  if (files.length === 0 && command.inputs.length === 1) {
    const range = command.inputs[0];
    if (!isGitCheckout(tree)) return inputError(range, `no such patch file (and ${tree === '.' ? 'the working directory' : tree} is not a git checkout, so it is not a revision range either)`);
    const patches = rangePatches(tree, range);
    if ('message' in patches) return inputError(range, `no such patch file, and ${patches.message}`);
    const series = parseSeries(patches.text, range);
    // Each commit is formatted alone (`[PATCH]`); number them as a series would be sent.
    if (series.patches.length > 1) for (const patch of series.patches) patch.rawSubject = `[PATCH ${patch.number}/${series.patches.length}] ${patch.subject}`;
    return { series, source: gitTreeSource(tree, patches.base), name: range };
  }
  const missing = command.inputs.find((input) => !files.includes(input));
  if (missing) return inputError(missing, 'no such patch file');
  const parts: { series: ParsedSeries; name: string }[] = [];
  for (const file of files) {
    const text = readPatchText(file, readStdin);
    if (typeof text !== 'string') return inputError(file === '-' ? 'stdin' : file, text.reason);
    const name = file === '-' ? 'stdin' : path.basename(file);
    parts.push({ series: parseSeries(text, name), name });
  }
  return { series: joinSeries(parts), source: directorySource(tree), name: files.length === 1 ? (files[0] === '-' ? 'stdin' : files[0]) : files.join(', ') };
}

function touchedLanguages(series: ParsedSeries): Set<string> {
  const languages = new Set<string>();
  for (const patch of series.patches) {
    for (const file of patch.files) {
      for (const p of [file.oldPath, file.newPath]) {
        const language = p ? languageOfPath(p) : undefined;
        if (language) languages.add(language);
      }
    }
  }
  return languages;
}

export async function runReview(command: ReviewCommand, readStdin: () => Buffer = () => fs.readFileSync(0)): Promise<CommandOutput> {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(command.tree);
  } catch {
    stat = undefined;
  }
  if (!stat?.isDirectory()) return inputError(command.tree, '--tree must be a directory (the tree the patches apply to)');
  const input = gatherInput(command, readStdin);
  if ('exitCode' in input) return input;
  const languages = touchedLanguages(input.series);
  const env: ReviewEnvironment = {};
  let stderr = '';
  if (languages.has('c') || command.apiFiles.length > 0) {
    const loaded = await loadCFrontEnd(command.apiFiles);
    if (loaded.problems.length > 0 || !loaded.frontEnd) return { stdout: '', stderr: problemLines(loaded.problems), exitCode: 2 };
    const { table, parser } = loaded.frontEnd;
    // A review reports only what a patch introduces or fixes: that difference is itself the evidence,
    // so findings of low confidence take part (they are withheld from whole-file checks).
    env.analyzeC = (text) => analyzeCText(text, table, { parser, lowConfidence: true }).findings;
  }
  if (languages.has('lifetime')) {
    const support = await cBodiesFor(command.apiFiles);
    if (support.problem) stderr += `lifetime: ${support.problem}; models with C bodies are not checked\n`;
    // The models are checked first, in worker threads under the watchdog of `check`, so that
    // --timeout-ms holds in every phase; the review then reads their verdicts.
    const texts = modelTextsToCheck(input.series, input.source);
    if (texts) {
      const engine = {
        exact: command.exact,
        maxStates: command.maxStates,
        timeoutMs: command.timeoutMs,
        maxMemoryBytes: (command.maxMemoryMiB ?? 1024) * 1024 * 1024,
        proposals: [],
      };
      try {
        env.checkModel = await checkModelsInWorkers(texts, { engine, apiFiles: command.apiFiles, name: input.name });
      } catch (error) {
        return { stdout: '', stderr: `lifetime: ${input.name}: internal error: ${error instanceof Error ? error.message : String(error)}\n`, exitCode: 2 };
      }
    }
  }
  const outcome = reviewSeries(input.series, input.source, env);
  if (!outcome.ok) return { stdout: '', stderr: outcome.problems.map((problem) => `lifetime: ${input.name}: ${problem.message}\n`).join(''), exitCode: 2 };
  const review = outcome.review;
  if (command.format !== 'text') {
    const notes = [...(review.alreadyApplied ? ['the tree already holds this series; it was reviewed against the tree without it'] : []), ...review.patches.flatMap((p) => [...p.notes, ...p.files.flatMap((f) => f.notes.map((n) => `${f.path}: ${n}`))])];
    stderr += notes.map((note) => `lifetime: note: ${note}\n`).join('');
  }
  if (command.staged && review.patches.length === 0) stderr += 'lifetime: nothing is staged\n';
  let stdout: string;
  if (command.format === 'json') stdout = formatReviewJson(review);
  else if (command.format === 'sarif') stdout = formatReviewSarif(review, command.tree);
  else if (command.format === 'email') stdout = formatReviewEmail(review);
  else stdout = formatReviewText(review);
  const introduced = review.patches.some((p) => p.files.some((f) => f.findings.some((finding) => finding.class === 'introduced')));
  return { stdout, stderr, exitCode: introduced ? 1 : 0 };
}
