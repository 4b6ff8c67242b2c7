// The C front end for the engine, so that `fn NAME(p) c { ... }` bodies are checked: the
// tree-sitter parser is loaded (asynchronously, once) and a translator is made that turns each C
// body into model statements with the file's objects, procedures, binds and the procedure's
// parameters. Callers pass the translator to the engine (`EngineOptions.translateC`).

import { apiTableFromTexts, cBodyContextFromFile, loadApiTable, loadCParser, translateCBody, type ApiTable, type ApiTableResult } from '../c/index';
import type { CBodyTranslator } from '../engine/ir';
import type { CBody, SourceFile } from '../syntax/ast';
import { walk } from './nodes';

/** The parameters of the procedure (or none, for a thread) whose body `body` is. */
function paramsOf(file: SourceFile, body: CBody): string[] {
  let params: string[] = [];
  walk(file, (node) => {
    if (node.end < body.start || node.start > body.end) return false;
    if (node.kind === 'FnDecl' && node.body === body) params = node.params.filter((p) => !p.missing).map((p) => p.text);
    return undefined;
  });
  return params;
}

/** The translator, or why there is none, and problems with the API tables (whose good entries are still used). */
export interface CBodySupport {
  translateC?: CBodyTranslator;
  /** Set when the parser cannot be loaded (models with C bodies are then reported as not checked) or a table has problems. */
  problem?: string;
}

/** The translator of C bodies through `table`, once the C parser is loaded. */
export function cBodyTranslator(table: ApiTable): CBodyTranslator {
  return (body, file) => translateCBody(body.code, body.codeStart, cBodyContextFromFile(file, table, paramsOf(file, body)));
}

/** Extra kernel API tables already read (by the language server, which checks where they come from). */
export interface ApiTableTexts {
  /** Identifies the set of texts: the same key means the same tables. */
  key: string;
  files: { path: string; text: string }[];
}

/** Loads the C parser and makes the translator, with the built-in API table plus `apiFiles` (paths, or texts already read). */
export async function loadCBodySupport(apiFiles: string[] | ApiTableTexts = []): Promise<CBodySupport> {
  let table: ApiTable;
  let problems: string[];
  try {
    await loadCParser();
    const loaded: ApiTableResult = Array.isArray(apiFiles) ? loadApiTable(apiFiles) : apiTableFromTexts(apiFiles.files);
    table = loaded.table;
    problems = loaded.problems.map((problem) => `${problem.line > 0 ? `${problem.path}:${problem.line}` : problem.path}: ${problem.message}`);
  } catch (error) {
    return { problem: `The C parser could not be loaded: ${error instanceof Error ? error.message : String(error)}` };
  }
  const support: CBodySupport = { translateC: cBodyTranslator(table) };
  if (problems.length > 0) support.problem = `The kernel API tables have problems: ${problems.join('; ')}`;
  return support;
}

let loadedFor: string | undefined;
let loading: Promise<CBodySupport> = Promise.resolve({});

/**
 * `loadCBodySupport` once per set of API files: while the files stay the same, every caller gets
 * the first call's outcome, and the translator is rebuilt only when they change.
 */
export function cBodiesFor(apiFiles: string[] | ApiTableTexts): Promise<CBodySupport> {
  const key = Array.isArray(apiFiles) ? apiFiles.join('\n') : `texts:${apiFiles.key}`;
  if (key !== loadedFor) {
    loadedFor = key;
    loading = loadCBodySupport(apiFiles);
  }
  return loading;
}
