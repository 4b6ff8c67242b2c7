// Patch files in the editor (`.patch`, `.diff`, `.eml`, or the `diff` language): each is reviewed
// against the workspace folder, in memory, after edits pause, and what it introduces is published
// as diagnostics on its `+` lines. The command `lifetime.review` (workspace/executeCommand) reviews
// a patch document, or, without an argument, the git staged changes of the workspace, and answers
// with the text report and the JSON one, so that any LSP client can show them.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeCText, apiTableFromTexts, loadCParser, type ApiTable } from '../core/c/index';
import type { ApiTableTexts } from '../core/features/cBodies';
import { patchReviewDiagnostics } from '../core/features/patchReview';
import { countByClass, directorySource, engineModelChecker, parseSeries, reviewSeries, type ReviewEnvironment, type ReviewOutcome, type TreeSource } from '../core/review/index';
import { toJsonReview, type JsonReview } from '../cli/review/formatJson';
import { formatReviewText } from '../cli/review/formatText';
import { gitTreeSource, isGitCheckout, stagedPatch } from '../cli/review/git';
import { toLspDiagnostic } from './convert';
import { Coalescer } from './scheduler';

export const REVIEW_COMMAND = 'lifetime.review';

const REVIEW_INTERVAL_MS = 300;
/** The engine's budget for a model a patch in the editor touches: the review must stay quick. */
const EDITOR_MODEL_BUDGET = { maxStates: 100_000, timeoutMs: 1_000 };
/** The largest patch document or file reviewed. */
const MAX_PATCH_BYTES = 16 * 1024 * 1024;

export function isPatchDocument(document: { uri: string; languageId: string }): boolean {
  return document.languageId === 'diff' || /\.(patch|diff|eml)$/i.test(document.uri);
}

export interface ReviewCommandResult {
  /** False when the patch could not be reviewed; `text` says why. */
  ok: boolean;
  /** The report as `lifetime review` prints it. */
  text: string;
  /** As `lifetime review --format json` prints it. */
  review?: JsonReview;
  introduced: number;
  fixed: number;
  remaining: number;
}

interface PatchState {
  document: TextDocument;
  coalescer: Coalescer;
}

export class PatchDocuments {
  private readonly states = new Map<string, PatchState>();
  private table: { key: string; table: ApiTable } | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly workspaceRoot: () => string | undefined,
    private readonly apiTables: () => ApiTableTexts,
  ) {}

  open(document: TextDocument): void {
    let state = this.states.get(document.uri);
    if (!state) {
      const created: PatchState = { document, coalescer: new Coalescer(REVIEW_INTERVAL_MS, () => void this.publish(created)) };
      this.states.set(document.uri, (state = created));
    }
    state.document = document;
    state.coalescer.schedule();
  }

  close(uri: string): void {
    const state = this.states.get(uri);
    if (!state) return;
    state.coalescer.dispose();
    this.states.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** The API tables changed: review the open patches again. */
  refresh(): void {
    this.table = undefined;
    for (const state of this.states.values()) state.coalescer.schedule();
  }

  dispose(): void {
    for (const state of this.states.values()) state.coalescer.dispose();
  }

  /** `lifetime.review [uri]`: the patch document (open, or a file in the workspace), else the staged changes. */
  async run(args: readonly unknown[]): Promise<ReviewCommandResult> {
    const root = this.workspaceRoot();
    const failed = (text: string): ReviewCommandResult => ({ ok: false, text, introduced: 0, fixed: 0, remaining: 0 });
    if (!root) return failed('Open a folder that holds the tree: a patch is reviewed against the workspace folder.');
    const target = args[0];
    let text: string;
    let name: string;
    let source: TreeSource;
    if (typeof target === 'string' && target !== 'staged') {
      const read = this.patchText(target, root);
      if ('error' in read) return failed(read.error);
      ({ text, name } = read);
      source = directorySource(root);
    } else {
      if (!isGitCheckout(root)) return failed(`${root} is not a git checkout, so it has no staged changes to review.`);
      const staged = stagedPatch(root);
      if ('message' in staged) return failed(staged.message);
      if (staged.text.trim() === '') return { ok: true, text: 'Nothing is staged.', review: { introduced: [], fixed: [], remaining: [] }, introduced: 0, fixed: 0, remaining: 0 };
      text = staged.text;
      name = 'staged changes';
      source = gitTreeSource(root, staged.base);
    }
    const outcome = await this.review(text, name, source);
    if (!outcome) return failed('The C parser could not be loaded; see the server log.');
    if (!outcome.ok) return failed(outcome.problems.map((p) => p.message).join('\n'));
    const findings = outcome.review.patches.flatMap((p) => p.files.flatMap((f) => f.findings));
    return { ok: true, text: formatReviewText(outcome.review), review: toJsonReview(outcome.review), ...countByClass(findings) };
  }

  private patchText(uri: string, root: string): { text: string; name: string } | { error: string } {
    const open = this.states.get(uri);
    if (open) return { text: open.document.getText(), name: path.basename(uri) };
    let file: string;
    try {
      file = fileURLToPath(uri);
    } catch {
      return { error: `${uri} is not a file URI.` };
    }
    const relative = path.relative(fs.realpathSync(root), path.resolve(file));
    if (relative.startsWith('..') || path.isAbsolute(relative)) return { error: `${file} is outside the workspace folder; open it in the editor to review it.` };
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile() || stat.size > MAX_PATCH_BYTES) return { error: `${file} is not a regular file of at most 16 MiB.` };
      return { text: fs.readFileSync(file, 'utf8'), name: path.basename(file) };
    } catch (error) {
      return { error: `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private async environment(): Promise<ReviewEnvironment | undefined> {
    let parser;
    try {
      parser = await loadCParser();
    } catch (error) {
      this.connection.console.error(`The C parser could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
    const tables = this.apiTables();
    if (!this.table || this.table.key !== tables.key) this.table = { key: tables.key, table: apiTableFromTexts(tables.files).table };
    const table = this.table.table;
    // As `lifetime review`: what a patch introduces or fixes is evidence enough for low-confidence findings.
    return { analyzeC: (text) => analyzeCText(text, table, { parser, lowConfidence: true }).findings, checkModel: engineModelChecker(EDITOR_MODEL_BUDGET) };
  }

  private async review(text: string, name: string, source: TreeSource): Promise<ReviewOutcome | undefined> {
    const env = await this.environment();
    if (!env) return undefined;
    return reviewSeries(parseSeries(text, name), source, env);
  }

  private async publish(state: PatchState): Promise<void> {
    const root = this.workspaceRoot();
    const { uri, version } = state.document;
    if (!root || state.document.getText().length > MAX_PATCH_BYTES) return;
    const text = state.document.getText();
    let outcome: ReviewOutcome | undefined;
    try {
      outcome = await this.review(text, path.basename(uri), directorySource(root));
    } catch (error) {
      this.connection.console.error(`Review of ${uri} failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    // A newer edit or a close while the parser loaded: that version's own run publishes.
    if (!outcome || this.states.get(uri) !== state || state.document.version !== version) return;
    const diagnostics = patchReviewDiagnostics(text, outcome, root).map((d) => toLspDiagnostic(d, uri));
    void this.connection.sendDiagnostics({ uri, version, diagnostics });
  }
}
