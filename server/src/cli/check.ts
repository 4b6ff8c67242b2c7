// `lifetime check`: read the inputs, check each file, print the report, and decide the exit code.

import type { CheckCommand } from './args';
import { enableCBodies } from '../core/features/cBodies';
import { checkCFile, loadCFrontEnd } from './cfiles';
import type { EngineRunOptions } from './engineReport';
import type { CommandOutput } from './exportCommand';
import { formatJson } from './formatJson';
import { formatText } from './formatText';
import { collectInputs } from './inputs';
import { checkLifetimeFile } from './lifetimeFile';
import { ProgressLine } from './progress';
import { fails, type FileReport } from './report';
import { formatSarif } from './sarif';

function problemLines(problems: { path: string; reason: string }[]): string {
  return problems.map((problem) => `lifetime: ${problem.path}: ${problem.reason}\n`).join('');
}

/** A `c {` body in a model: `fn f(x) c {` or `thread t c {`. */
const C_BODY = /[)\]\w]\s+c\s*\{/;

export async function runCheck(command: CheckCommand): Promise<CommandOutput> {
  const inputs = collectInputs(command.paths, { cFiles: true });
  if (inputs.problems.length > 0) return { stdout: '', stderr: problemLines(inputs.problems), exitCode: 2 };

  const needsC = inputs.files.some((file) => file.language === 'c');
  const c = needsC ? await loadCFrontEnd(command.apiFiles) : undefined;
  if (c && c.problems.length > 0) return { stdout: '', stderr: problemLines(c.problems), exitCode: 2 };

  const reports: FileReport[] = [];
  let stderr = '';
  // Models whose procedures or threads are written in C need the C parser before the engine runs.
  if (command.engine && inputs.files.some((file) => file.language === 'lifetime' && C_BODY.test(file.text))) {
    const failure = await enableCBodies(command.apiFiles);
    if (failure) stderr += `lifetime: ${failure}; models with C bodies are not checked\n`;
  }
  for (const input of inputs.files) {
    if (input.language === 'c') {
      reports.push(checkCFile(input.path, input.text, c!.frontEnd!));
      continue;
    }
    const progress = command.engine ? ProgressLine.forStderr(input.path) : undefined;
    const engine: EngineRunOptions | undefined = command.engine
      ? {
          exact: command.exact,
          maxStates: command.maxStates,
          timeoutMs: command.timeoutMs,
          simulate: command.simulate,
          seed: command.seed,
          proposals: command.proposals,
          onProgress: progress ? (p) => progress.update(p) : undefined,
        }
      : undefined;
    const report = checkLifetimeFile(input.path, input.text, engine);
    progress?.clear();
    reports.push(report);
  }

  const seeds = new Set(reports.flatMap((report) => report.proposals.flatMap((result) => (result.seed !== undefined ? [result.seed] : []))));
  // The seed goes to stderr, so that it is seen in every format and never breaks JSON or SARIF.
  if (seeds.size > 0) stderr += `lifetime: simulation seed ${[...seeds].join(', ')} (replay with --seed)\n`;

  let stdout: string;
  if (command.format === 'json') stdout = formatJson(reports);
  else if (command.format === 'sarif') stdout = formatSarif(reports);
  else stdout = formatText(reports);
  return { stdout, stderr, exitCode: reports.some(fails) ? 1 : 0 };
}
