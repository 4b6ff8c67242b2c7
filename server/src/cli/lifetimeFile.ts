// One `.lifetime` file: parse, check, and (when it has no errors) run the engine.

import { checkFile } from '../core/semantic/checker';
import { parse } from '../core/syntax/parser';
import { runEngine, type EngineRunOptions } from './engineReport';
import { newReport, sortDiagnostics, type FileReport } from './report';

export function checkLifetimeFile(path: string, text: string, engine: EngineRunOptions | undefined): FileReport {
  const report = newReport(path, text);
  const parsed = parse(text);
  const semantic = checkFile(parsed.file);
  report.diagnostics.push(...parsed.diagnostics, ...semantic.diagnostics);
  const hasErrors = report.diagnostics.some((d) => d.severity === 'error');
  if (!engine) {
    report.engineSkipped = 'the engine was turned off (--no-engine)';
  } else if (hasErrors) {
    report.engineSkipped = 'the file has errors; the engine runs once they are fixed';
  } else {
    const run = runEngine(parsed.file, engine);
    report.proposals = run.proposals;
    report.diagnostics.push(...run.diagnostics);
    report.violations = run.violations;
  }
  sortDiagnostics(report.diagnostics);
  return report;
}
