// SARIF 2.1.0 for GitHub code scanning and other CI viewers. Every diagnostic is a result whose
// ruleId is its code. A violation also carries a codeFlow: one threadFlow per thread or device,
// whose locations are that actor's steps in trace order, each with its place in the whole
// interleaving (executionOrder). The rules are every code in codes.ts, with help text and a link
// to docs/diagnostics.md.

import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allCodes, type Diagnostic, type Severity } from '../core/diagnostics/codes';
import type { ProposalResult, TraceStep } from '../core/engine/types';
import { codeHref } from '../core/features/diagnostics';
import { lineColumn, type FileReport } from './report';
import { VERSION } from './version';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'note';

export function level(severity: Severity): Level {
  return severity === 'info' ? 'note' : severity;
}

export function artifactLocation(path: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(path)) return { uri: pathToFileURL(path).href };
  return {
    uri: path
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/'),
    uriBaseId: '%SRCROOT%',
  };
}

interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

function region(report: FileReport, start: number, end: number): Region {
  const from = lineColumn(report, start);
  const to = lineColumn(report, Math.max(start, end));
  return { startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column };
}

function physicalLocation(report: FileReport, start: number, end: number) {
  return {
    artifactLocation: artifactLocation(report.path),
    region: region(report, start, end),
  };
}

export function rules() {
  return allCodes().map((info) => ({
    id: info.code,
    name: info.kind
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(''),
    shortDescription: { text: info.summary },
    fullDescription: { text: info.summary },
    helpUri: codeHref(info.code),
    help: { text: `${info.summary} See ${codeHref(info.code)}`, markdown: `${info.summary} [${info.code}](${codeHref(info.code)})` },
    defaultConfiguration: { level: level(info.severity) },
    properties: { kind: info.kind },
  }));
}

/** A kernel C finding's path, from the acquire through each branch and goto to the return. */
function cPathFlow(report: FileReport, diagnostic: Diagnostic) {
  const details = diagnostic.cFinding as NonNullable<Diagnostic['cFinding']>;
  const places = [
    ...(details.acquiredAt !== undefined ? [{ start: details.acquiredAt, end: details.acquiredAt, message: 'acquired here' }] : []),
    ...details.path,
    { start: diagnostic.start, end: diagnostic.end, message: 'returns here' },
  ];
  return {
    message: { text: `path in ${details.function}()` },
    threadFlows: [
      {
        locations: places.map((place, index) => ({
          location: { physicalLocation: physicalLocation(report, place.start, Math.max(place.start, place.end)), message: { text: place.message } },
          executionOrder: index,
        })),
      },
    ],
  };
}

function codeFlow(report: FileReport, result: ProposalResult) {
  const trace: TraceStep[] = result.trace ?? [];
  const actors: string[] = [];
  for (const step of trace) if (!actors.includes(step.actor)) actors.push(step.actor);
  return {
    message: { text: `${result.kind ?? 'violation'} in ${result.name}: ${trace.length} step${trace.length === 1 ? '' : 's'}` },
    threadFlows: actors.map((actor) => ({
      id: actor,
      message: { text: `${trace.find((s) => s.actor === actor)?.actorKind ?? 'thread'} ${actor}` },
      locations: trace
        .map((step, index) => ({ step, index }))
        .filter(({ step }) => step.actor === actor)
        .map(({ step, index }) => ({
          location: {
            physicalLocation: physicalLocation(report, step.start, step.end),
            message: { text: step.event },
          },
          executionOrder: index + 1,
          importance: index === trace.length - 1 ? 'essential' : 'important',
          ...(step.changes.length > 0
            ? { state: Object.fromEntries(step.changes.map((change) => [change.name, { text: `${change.before} → ${change.after}` }])) }
            : {}),
        })),
    })),
  };
}

/** The tool's description, with its rules. */
export function sarifDriver(ruleList: ReturnType<typeof rules>) {
  return {
    name: 'lifetime',
    fullName: 'Lifetime Review',
    version: VERSION,
    semanticVersion: VERSION,
    informationUri: 'https://github.com/lifetime-review/lifetime-review',
    rules: ruleList,
  };
}

export function toSarif(reports: readonly FileReport[]) {
  const ruleList = rules();
  const ruleIndex = new Map(ruleList.map((rule, index) => [rule.id, index]));
  const results = [];
  for (const report of reports) {
    for (const diagnostic of report.diagnostics) {
      const result: Record<string, unknown> = {
        ruleId: diagnostic.code,
        ruleIndex: ruleIndex.get(diagnostic.code) ?? -1,
        level: level(diagnostic.severity),
        message: { text: diagnostic.message },
        locations: [{ physicalLocation: physicalLocation(report, diagnostic.start, diagnostic.end) }],
        properties: { kind: diagnostic.kind },
      };
      const violation = report.violations.get(diagnostic);
      if (violation && (violation.trace?.length ?? 0) > 0) {
        result.codeFlows = [codeFlow(report, violation)];
        result.properties = { kind: diagnostic.kind, proposal: violation.name };
      } else if (diagnostic.cFinding && diagnostic.cFinding.path.length > 0) {
        result.codeFlows = [cPathFlow(report, diagnostic)];
        result.properties = { kind: diagnostic.kind, function: diagnostic.cFinding.function };
      }
      if (diagnostic.cFinding) result.properties = { ...(result.properties as Record<string, unknown>), confidence: diagnostic.cFinding.confidence };
      if (!violation && diagnostic.related && diagnostic.related.length > 0) {
        result.relatedLocations = diagnostic.related.map((related, index) => ({
          id: index + 1,
          physicalLocation: physicalLocation(report, related.start, related.end),
          message: { text: related.message },
        }));
      }
      results.push(result);
    }
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver(ruleList) },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(`${process.cwd()}/`).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(reports: readonly FileReport[]): string {
  return `${JSON.stringify(toSarif(reports), null, 2)}\n`;
}
