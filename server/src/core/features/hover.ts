// Hover: on a step, what the search saw there (values before and after, how many reachable states
// execute it, which other actors can interleave); on a declaration, its kind, counters and
// lifecycle; on a proposal, its verdict.

import type { ProposalResult, StepFacts, ValueSummary } from '../engine/types';
import type { Declaration } from '../semantic/model';
import { expectedOutcomes } from '../semantic/expectations';
import type { Analysis } from './analysis';
import { declarationNode, describeLifecycle, describeMember, snippet } from './declarations';
import { proposalLabel, verdictText } from '../report/verdictWording';
import { nodePath } from './nodes';
import { formatCount, toRange } from './ranges';
import type { MarkupHover } from './types';
import { KEYWORD_DOCS } from './keywordDocs';
import { codeSpan, escapeMarkdown } from './markdown';
import { traceHoverSection } from './traceHover';
import { TokenKind } from '../syntax/tokens';
import { cCallAt } from './cCalls';
import { describeCCall } from '../c/apiTable';

function values(summary: ValueSummary | undefined): string {
  if (!summary) return '—';
  if (summary.values.length > 0) return summary.values.join(', ');
  if (summary.min !== undefined && summary.max !== undefined) return `${summary.min}..${summary.max}`;
  return '—';
}

/** The innermost step facts around the offset, with the proposal they belong to. */
export function factsAt(analysis: Analysis, offset: number): { facts: StepFacts; result: ProposalResult } | undefined {
  let best: { facts: StepFacts; result: ProposalResult } | undefined;
  for (const result of analysis.engine?.proposals ?? []) {
    for (const facts of result.facts ?? []) {
      if (offset < facts.start || offset > facts.end) continue;
      if (!best || facts.end - facts.start < best.facts.end - best.facts.start) best = { facts, result };
    }
  }
  return best;
}

export function stepHoverText(analysis: Analysis, facts: StepFacts, result: ProposalResult): string {
  const lines: string[] = [];
  lines.push(`**${codeSpan(snippet(analysis.text, facts.start, facts.end, 60))}** — ${proposalLabel(result)}`);
  lines.push('');
  lines.push(
    facts.states === 0
      ? 'Never executed in any reachable state.'
      : `Executed in ${formatCount(facts.states)} reachable state${facts.states === 1 ? '' : 's'} by ${facts.actors.join(', ') || 'no actor'}.`,
  );
  const names = [...new Set([...facts.before.map((s) => s.name), ...facts.after.map((s) => s.name)])];
  if (names.length > 0) {
    lines.push('');
    lines.push('| | before | after |');
    lines.push('|---|---|---|');
    for (const name of names) {
      lines.push(`| \`${name}\` | ${values(facts.before.find((s) => s.name === name))} | ${values(facts.after.find((s) => s.name === name))} |`);
    }
  }
  if (facts.transitions.length > 0) {
    lines.push('');
    lines.push(`Transitions: ${escapeMarkdown(facts.transitions.join(' | '))}`);
  }
  lines.push('');
  lines.push(facts.interleavers.length > 0 ? `Can run in between: ${facts.interleavers.join(', ')}.` : 'No other actor can run in between.');
  return lines.join('\n');
}

function proposalResult(analysis: Analysis, name: string): ProposalResult | undefined {
  return analysis.engine?.proposals.find((p) => p.name === name);
}

function verdictLine(analysis: Analysis, name: string): string {
  const result = proposalResult(analysis, name);
  if (!result) return analysis.engine ? 'Not checked.' : 'Verdict: not checked yet.';
  let line = `Verdict: **${verdictText(result)}**`;
  if (result.verdict === 'safe') line += ` (${formatCount(result.states)} states, ${formatCount(result.transitions)} transitions, depth ${result.depth})`;
  if (result.message && result.verdict === 'violation') line += ` — ${escapeMarkdown(result.message)}`;
  return line;
}

export function declarationHoverText(analysis: Analysis, declaration: Declaration): string {
  const { file, text } = analysis;
  const node = declarationNode(file, declaration);
  const where = declaration.proposal ? ` (in proposal \`${declaration.proposal}\`)` : '';
  switch (declaration.kind) {
    case 'object':
    case 'static': {
      const lines = [`**${declaration.kind} \`${declaration.name}\`**${where}`, ''];
      if (node && node.kind === 'ObjectDecl') {
        lines.push(`Lifecycle: ${describeLifecycle(node)}.`);
        const counters = node.members.filter((m) => m.kind === 'RefMember');
        lines.push('', counters.length > 0 ? `Counters: ${counters.length}` : 'No reference counts.');
        for (const member of node.members) lines.push(`- ${describeMember(text, member)}`);
      }
      return lines.join('\n');
    }
    case 'member': {
      const owner = declaration.container !== undefined ? analysis.semantic.model.declarations[declaration.container] : undefined;
      const head = `**${declaration.memberKind ?? 'member'} \`${owner ? owner.name + '.' : ''}${declaration.name}\`**${where}`;
      if (node && node.kind.endsWith('Member')) return `${head}\n\n${describeMember(text, node as Parameters<typeof describeMember>[1])}`;
      return head;
    }
    case 'fn':
      return `**fn** ${codeSpan(node ? snippet(text, node.start, Math.min(node.end, text.indexOf(')', node.start) + 1 || node.end), 80) : declaration.name)}${where}\n\nCalls are inlined into the caller.`;
    case 'param':
      return `**parameter \`${declaration.name}\`**: stands for the object or handle passed at each call.`;
    case 'local':
      return declaration.localKind === 'bool' || declaration.localKind === 'int'
        ? `**local ${declaration.localKind === 'bool' ? 'boolean' : 'int'} \`${declaration.name}\`** (\`let\`): a value of this thread or procedure call.`
        : `**handle \`${declaration.name}\`** (\`let\`): remembers an object and its generation when taken.`;
    case 'module':
      return `**module \`${declaration.name}\`**\n\nIts code (procedures and handlers declared \`in ${declaration.name}\`) and data die when it is unloaded.`;
    case 'thread': {
      const count = node && node.kind === 'ThreadDecl' && node.count ? `[${node.count.value}]` : '';
      return `**thread \`${declaration.name}${count}\`**${where}\n\nRuns concurrently with every other thread and device.`;
    }
    case 'device': {
      const targets = node && node.kind === 'DeviceDecl' ? node.targets.map((t) => snippet(text, t.target.start, t.target.end)).join(', ') : '';
      const stopped = node && node.kind === 'DeviceDecl' && node.initiallyStopped ? 'starts stopped' : 'running from the start';
      return `**device \`${declaration.name}\`**${where}\n\nDMA targets: ${escapeMarkdown(targets) || 'none'}; ${stopped}.`;
    }
    case 'proposal': {
      const title = node && node.kind === 'ProposalDecl' && node.title ? ` — ${escapeMarkdown(node.title.value)}` : '';
      return `**proposal \`${declaration.name}\`**${title}\n\n${verdictLine(analysis, declaration.name)}`;
    }
    case 'model':
      return `**model \`${declaration.name}\`** (the baseline)\n\n${verdictLine(analysis, 'baseline')}`;
    case 'state-value':
      return `**state value \`${declaration.name}\`**`;
  }
}

/** A word used as a keyword at the offset: an identifier token that is no name in the tree. */
function keywordAt(analysis: Analysis, offset: number): { word: string; start: number; end: number } | undefined {
  const token = analysis.file.tokens.find((t) => t.start <= offset && offset <= t.end && t.kind === TokenKind.Identifier);
  if (!token) return undefined;
  const word = analysis.text.slice(token.start, token.end);
  if (!Object.prototype.hasOwnProperty.call(KEYWORD_DOCS, word)) return undefined;
  const path = nodePath(analysis.file, offset);
  if (path.some((node) => node.kind === 'Identifier' && node.start === token.start)) return undefined;
  return { word, start: token.start, end: token.end };
}

/** The hover at the offset; on a statement a counterexample runs, its place in the trace comes first. */
export function hoverAt(analysis: Analysis, offset: number): MarkupHover | undefined {
  const hover = hoverWithoutTrace(analysis, offset);
  const trace = traceHoverSection(analysis, offset);
  if (!trace) return hover;
  const value = hover ? `${trace.value}\n\n---\n\n${hover.contents.value}` : trace.value;
  return { contents: { kind: 'markdown', value }, range: hover?.range ?? toRange(analysis.lines, trace.start, trace.end) };
}

function hoverWithoutTrace(analysis: Analysis, offset: number): MarkupHover | undefined {
  const model = analysis.semantic.model;
  const declaration = model.declarationAt(offset);
  const step = factsAt(analysis, offset);
  if (declaration) {
    const reference = model.referenceAt(offset);
    const start = reference ? reference.start : declaration.nameStart;
    const end = reference ? reference.end : declaration.nameEnd;
    let value = declarationHoverText(analysis, declaration);
    if (reference && step) value += '\n\n---\n\n' + stepHoverText(analysis, step.facts, step.result);
    return { contents: { kind: 'markdown', value }, range: toRange(analysis.lines, start, end) };
  }
  const path = nodePath(analysis.file, offset);
  const innermost = path[path.length - 1];
  if (innermost.kind === 'ExpectDecl' || (innermost.kind === 'Identifier' && path[path.length - 2]?.kind === 'ExpectDecl')) {
    const expect = (innermost.kind === 'ExpectDecl' ? innermost : path[path.length - 2]) as Extract<typeof innermost, { kind: 'ExpectDecl' }>;
    return {
      contents: { kind: 'markdown', value: `**expect \`${expect.proposal.text}\`: \`${expectedOutcomes(expect).join(', ')}\`**\n\n${verdictLine(analysis, expect.proposal.text)}` },
      range: toRange(analysis.lines, expect.start, expect.end),
    };
  }
  const cCall = cCallAt(analysis, offset);
  if (cCall) {
    const effect = describeCCall(cCall.name);
    const value = effect ? `**\`${cCall.name}()\`** — kernel API\n\n${effect}` : `**\`${cCall.name}()\`**: not in the kernel API table; the model treats it as having no lifetime effect.`;
    return { contents: { kind: 'markdown', value }, range: toRange(analysis.lines, cCall.start, cCall.end) };
  }
  const keyword = keywordAt(analysis, offset);
  if (step) {
    const value = stepHoverText(analysis, step.facts, step.result) + (keyword ? `\n\n---\n\n${KEYWORD_DOCS[keyword.word]}` : '');
    return { contents: { kind: 'markdown', value }, range: toRange(analysis.lines, step.facts.start, step.facts.end) };
  }
  if (keyword) return { contents: { kind: 'markdown', value: KEYWORD_DOCS[keyword.word] }, range: toRange(analysis.lines, keyword.start, keyword.end) };
  return undefined;
}
