// `lifetime check`: read the inputs, check each file, print the report, and decide the exit code.

import type { CheckCommand } from './args';
import { checkCFiles, headerControlMacros } from './cfiles';
import { prepareC, problemLines } from './cSupport';
import { availableParallelism } from 'node:os';
import { CheckHost } from './checkHost';
import type { EngineJobOptions } from './engineReport';
import type { CommandOutput } from './exportCommand';
import { formatJson } from './formatJson';
import { formatText } from './formatText';
import { collectInputs, type SkippedInput } from './inputs';
import { ProgressLine } from './progress';
import { exitCodeOf, internalErrorLines, newReport, type FileReport } from './report';
import { CODES, makeDiagnostic } from '../core/diagnostics/codes';
import { formatSarif } from './sarif';
import { proposalNames } from '../core/engine/index';
import { parse } from '../core/syntax/parser';
import { spinMissing } from '../spin/spinBackend';
import type { EngineProgress } from '../core/engine/types';

export async function runCheck(command: CheckCommand): Promise<CommandOutput> {
  const inputs = collectInputs(command.paths, { cFiles: true, skipInWalks: true });
  if (inputs.problems.length > 0) return { stdout: '', stderr: problemLines(inputs.problems), exitCode: 2 };

  if (command.backend === 'spin') {
    const missing = spinMissing();
    if (missing) return { stdout: '', stderr: `lifetime: ${missing}\n`, exitCode: 2 };
  }
  const unknown = unknownProposals(command.proposals, inputs.files.filter((file) => file.language === 'lifetime'));
  if (unknown) return { stdout: '', stderr: `lifetime: ${unknown}\n`, exitCode: 2 };
  const c = await prepareC({
    apiFiles: command.apiFiles,
    readsCFiles: inputs.files.some((file) => file.language === 'c'),
    modelTexts: command.engine ? inputs.files.filter((file) => file.language === 'lifetime').map((file) => file.text) : [],
  });
  if (c.problems.length > 0) return { stdout: '', stderr: problemLines(c.problems), exitCode: 2 };

  let stderr = c.warning ?? '';
  // One seed for the whole command, so that `--seed` replays every proposal of every file exactly.
  const seed = command.simulate !== undefined ? (command.seed ?? Math.floor(Math.random() * 2 ** 31)) : command.seed;
  const engine: EngineJobOptions | undefined = command.engine
    ? {
        exact: command.exact,
        maxStates: command.maxStates,
        timeoutMs: command.timeoutMs,
        maxMemoryBytes: command.maxMemoryMiB === undefined ? undefined : command.maxMemoryMiB * 1024 * 1024,
        simulate: command.simulate,
        seed,
        proposals: command.proposals,
        backend: command.backend,
        searchWorkers: command.searchWorkers,
      }
    : undefined;
  // Models are checked in worker threads under a watchdog, so that --timeout-ms holds in every
  // phase: up to --jobs of them at once, all files' proposals alike. The reports keep the order of
  // the inputs, and each report the order of its proposals.
  const host = new CheckHost({ jobs: command.jobs ?? availableParallelism() });
  // One line for the whole command: with several searches at once, it shows the latest of them.
  const progress = command.engine ? ProgressLine.forStderr() : undefined;
  const pending: (FileReport | Promise<FileReport>)[] = [];
  const cInputs = inputs.files.filter((file) => file.language === 'c');
  const controlMacros = headerControlMacros(cInputs);
  // The C files are one run: each sees what the functions of the others release (cfiles.ts).
  const cReports = new Map(cInputs.length > 0 ? checkCFiles(cInputs, c.frontEnd!, { verbose: command.verbose, allFindings: command.allFindings, controlMacros }).map((report, i) => [cInputs[i], report]) : []);
  try {
    for (const [index, input] of inputs.files.entries()) {
      pending.push(...skippedReports(inputs.skipped, index));
      if (input.language === 'c') {
        pending.push(cReports.get(input)!);
        continue;
      }
      const onProgress = progress ? (p: EngineProgress) => progress.update(input.path, p) : undefined;
      pending.push(host.check({ path: input.path, text: input.text, engine, apiFiles: command.apiFiles, onProgress }));
    }
    pending.push(...skippedReports(inputs.skipped, inputs.files.length));
    // Every check settles before the workers go, even when one of them failed.
    await Promise.allSettled(pending);
  } finally {
    progress?.clear();
    await host.dispose();
  }
  const reports = await Promise.all(pending);

  const seeds = new Set(reports.flatMap((report) => report.proposals.flatMap((result) => (result.seed !== undefined ? [result.seed] : []))));
  // The seed goes to stderr, so that it is seen in every format and never breaks JSON or SARIF.
  if (seeds.size > 0) stderr += `lifetime: simulation seed ${[...seeds].join(', ')} (replay with --seed)\n`;

  let stdout: string;
  if (command.format === 'json') stdout = formatJson(reports);
  else if (command.format === 'sarif') stdout = formatSarif(reports);
  else stdout = formatText(reports);
  stderr += internalErrorLines(reports).join('');
  return { stdout, stderr, exitCode: exitCodeOf(reports) };
}

/**
 * A `--proposal` name that none of the models declares, as a one-line reason; undefined when every
 * name is declared by at least one model (a name may belong to one model of several).
 */
function unknownProposals(names: readonly string[], models: readonly { path: string; text: string }[]): string | undefined {
  if (names.length === 0 || models.length === 0) return undefined;
  const declared = new Set(models.flatMap((model) => proposalNames(parse(model.text).file)));
  const missing = names.filter((name) => !declared.has(name));
  if (missing.length === 0) return undefined;
  const known = [...declared].join(', ');
  const list = missing.map((name) => `'${name}'`).join(', ');
  return `--proposal ${list}: no model declares ${missing.length === 1 ? 'it' : 'them'} (${models.length === 1 ? `${models[0].path} has` : 'the models have'}: ${known})`;
}

/** The files of walked directories skipped just before the `index`-th file read, each as a report with one LT5030 warning. */
function skippedReports(skipped: readonly SkippedInput[], index: number): FileReport[] {
  return skipped
    .filter((file) => file.index === index)
    .map((file) => {
      const report = newReport(file.path, '');
      report.skipped = true;
      report.diagnostics.push(makeDiagnostic(CODES.skippedInput, `${file.path}: ${file.reason}; skipped, and the rest is checked`, 0, 0));
      return report;
    });
}
