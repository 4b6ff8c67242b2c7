// `lifetime export --promela FILE [--proposal P] [-o OUT]`.

import fs from 'node:fs';
import { exportPromelaFromFile } from '../core/engine/promela';
import { checkFile } from '../core/semantic/checker';
import { parse } from '../core/syntax/parser';
import type { ExportCommand } from './args';
import { formatDiagnosticText } from './formatText';
import { prepareC, problemLines } from './cSupport';
import { collectInputs } from './inputs';
import { newReport } from './report';

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

export async function runExport(command: ExportCommand): Promise<CommandOutput> {
  if (isDirectory(command.path)) {
    return { stdout: '', stderr: `lifetime: ${command.path}: is a directory; 'lifetime export' takes one .lifetime file\n`, exitCode: 2 };
  }
  const inputs = collectInputs([command.path], { cFiles: false });
  if (inputs.problems.length > 0) {
    return { stdout: '', stderr: inputs.problems.map((p) => `lifetime: ${p.path}: ${p.reason}\n`).join(''), exitCode: 2 };
  }
  const input = inputs.files[0];
  if (input.language !== 'lifetime') {
    return { stdout: '', stderr: `lifetime: ${input.path}: only .lifetime models can be exported\n`, exitCode: 2 };
  }
  const c = await prepareC({ apiFiles: command.apiFiles, readsCFiles: false, modelTexts: [input.text] });
  if (c.problems.length > 0) return { stdout: '', stderr: problemLines(c.problems), exitCode: 2 };
  const parsed = parse(input.text);
  const semantic = checkFile(parsed.file);
  const report = newReport(input.path, input.text);
  const errors = [...parsed.diagnostics, ...semantic.diagnostics].filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const text = errors.map((d) => formatDiagnosticText(report, d)).join('\n');
    return { stdout: '', stderr: `${text}\nlifetime: ${input.path}: fix the errors above before exporting\n`, exitCode: 1 };
  }
  const known = ['baseline', ...parsed.file.items.flatMap((item) => (item.kind === 'ProposalDecl' && !item.name.missing ? [item.name.text] : []))];
  if (!known.includes(command.proposal)) {
    return { stdout: '', stderr: `lifetime: ${input.path} has no proposal '${command.proposal}' (it has: ${known.join(', ')})\n`, exitCode: 2 };
  }
  const exported = exportPromelaFromFile(parsed.file, command.proposal, c.translateC);
  if (exported.text === undefined) {
    const text = exported.diagnostics.map((d) => formatDiagnosticText(report, d)).join('\n');
    return { stdout: '', stderr: `${c.warning ?? ''}${text}\nlifetime: ${input.path}: ${command.proposal} cannot be exported to Promela\n`, exitCode: 1 };
  }
  if (command.output === undefined) return { stdout: exported.text, stderr: '', exitCode: 0 };
  try {
    fs.writeFileSync(command.output, exported.text);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'its directory does not exist' : error instanceof Error ? error.message : String(error);
    return { stdout: '', stderr: `lifetime: cannot write ${command.output}: ${reason}\n`, exitCode: 2 };
  }
  return { stdout: '', stderr: `lifetime: wrote ${command.output}\n`, exitCode: 0 };
}
