// workspace/symbol over the open models and the `.lifetime` files of the workspace folder. The
// folder is walked on each request within fixed bounds (files, depth, size; no symbolic links, no
// hidden or node_modules folders), and a file is parsed again only when its size or time changes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connection, SymbolInformation, WorkspaceSymbolParams } from 'vscode-languageserver/node';
import { analyzeText, type Analysis } from '../core/features/analysis';
import { workspaceSymbols } from '../core/features/workspaceSymbols';
import { describeError, type Session } from './session';

const MAX_FILES = 500;
const MAX_DEPTH = 12;
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** The files parsed and kept for one request, in all. */
const MAX_TOTAL_BYTES = 32 * 1024 * 1024;

/** The `.lifetime` files under `root`, within the bounds above, in a stable order. */
export function findModelFiles(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (depth > MAX_DEPTH || found.length >= MAX_FILES) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (found.length >= MAX_FILES) return;
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full, depth + 1);
      else if (entry.isFile() && entry.name.endsWith('.lifetime')) found.push(full);
    }
  };
  visit(root, 0);
  return found;
}

export class WorkspaceModels {
  private readonly cache = new Map<string, { stamp: string; analysis: Analysis }>();

  constructor(private readonly session: Session) {}

  /** Every model to search: the open documents as edited, then the folder's other files as saved. */
  models(root: string | undefined): { uri: string; analysis: Analysis }[] {
    const out: { uri: string; analysis: Analysis }[] = [];
    const open = new Set<string>();
    for (const uri of this.session.openModelUris()) {
      const analysis = this.session.analysisFor(uri);
      if (!analysis) continue;
      open.add(uri);
      out.push({ uri, analysis });
    }
    const seen = new Set<string>();
    let bytes = 0;
    for (const file of root ? findModelFiles(root) : []) {
      const uri = pathToFileURL(file).href;
      if (open.has(uri)) continue;
      const analysis = bytes < MAX_TOTAL_BYTES ? this.load(file) : undefined;
      if (!analysis) continue;
      seen.add(file);
      bytes += analysis.text.length;
      out.push({ uri, analysis });
    }
    for (const file of [...this.cache.keys()]) if (!seen.has(file)) this.cache.delete(file);
    return out;
  }

  private load(file: string): Analysis | undefined {
    try {
      const stat = fs.statSync(file);
      if (stat.size > MAX_FILE_BYTES) return undefined;
      const stamp = `${stat.size}:${stat.mtimeMs}`;
      const cached = this.cache.get(file);
      if (cached && cached.stamp === stamp) return cached.analysis;
      const analysis = analyzeText(fs.readFileSync(file, 'utf8'));
      this.cache.set(file, { stamp, analysis });
      return analysis;
    } catch {
      return undefined;
    }
  }
}

export function registerWorkspaceSymbols(connection: Connection, session: Session, root: () => string | undefined): void {
  const models = new WorkspaceModels(session);
  connection.onWorkspaceSymbol((params: WorkspaceSymbolParams): SymbolInformation[] => {
    try {
      return workspaceSymbols(models.models(root()), params.query).map((symbol) => ({
        name: symbol.name,
        kind: symbol.kind as SymbolInformation['kind'],
        location: { uri: symbol.uri, range: symbol.range },
        ...(symbol.containerName ? { containerName: symbol.containerName } : {}),
      }));
    } catch (error) {
      connection.console.error(`workspace/symbol failed: ${describeError(error)}`);
      return [];
    }
  });
}
