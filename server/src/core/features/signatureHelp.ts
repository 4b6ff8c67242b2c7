// Signature help for procedure calls: `release_device(d)` with the active parameter.

import type { FnDecl } from '../syntax/ast';
import type { Analysis } from './analysis';
import { nodePath, walk } from './nodes';
import type { SignatureHelpResult } from './types';

function fnNamed(analysis: Analysis, name: string, proposal: string | undefined): FnDecl | undefined {
  let baseline: FnDecl | undefined;
  let override: FnDecl | undefined;
  for (const item of analysis.file.items) {
    if (item.kind === 'FnDecl' && item.name.text === name && !baseline) baseline = item;
    if (item.kind === 'ProposalDecl' && item.name.text === proposal) {
      for (const inner of item.items) if (inner.kind === 'FnDecl' && inner.name.text === name) override = inner;
    }
  }
  return override ?? baseline;
}

export function signatureHelpAt(analysis: Analysis, offset: number): SignatureHelpResult | undefined {
  const path = nodePath(analysis.file, offset);
  let call: Extract<(typeof path)[number], { kind: 'CallStatement' }> | undefined;
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i];
    if (node.kind === 'CallStatement' && offset > node.argsRange.start && (offset < node.argsRange.end || analysis.text[node.argsRange.end - 1] !== ')')) {
      call = node;
      break;
    }
  }
  if (!call) return undefined;
  const proposalNode = path.find((node) => node.kind === 'ProposalDecl');
  const fn = fnNamed(analysis, call.callee.text, proposalNode && proposalNode.kind === 'ProposalDecl' ? proposalNode.name.text : undefined);
  if (!fn) return undefined;
  const prefix = `${fn.name.text}(`;
  let label = prefix;
  const parameters: { label: [number, number] }[] = [];
  fn.params.forEach((param, index) => {
    if (index > 0) label += ', ';
    parameters.push({ label: [label.length, label.length + param.text.length] });
    label += param.text;
  });
  label += ')';
  let active = 0;
  const text = analysis.text;
  let depth = 0;
  for (let i = call.argsRange.start + 1; i < offset && i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) active++;
  }
  let calls = 0;
  walk(analysis.file, (node) => {
    if (node.kind === 'CallStatement' && node.callee.text === fn.name.text) calls++;
  });
  return {
    signatures: [{ label, documentation: `Procedure with ${fn.params.length} parameter${fn.params.length === 1 ? '' : 's'}; called ${calls} time${calls === 1 ? '' : 's'} in this file. Calls are inlined.`, parameters }],
    activeSignature: 0,
    activeParameter: Math.min(active, Math.max(0, fn.params.length - 1)),
  };
}
