// Plugs the C front end into the engine, so that `fn NAME(p) c { ... }` bodies are checked: the
// tree-sitter parser is loaded (asynchronously, once) and each C body is translated into model
// statements with the file's objects, procedures, binds and the procedure's parameters.

import { cBodyContextFromFile, loadApiTable, loadCParser, translateCBody, type ApiTable } from '../c/index';
import { setCBodyTranslator } from '../engine/ir';
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

/**
 * Loads the C parser and installs the translator, with the built-in API table plus `apiFiles`.
 * Resolves to an error message when the parser cannot be loaded (models with C bodies are then
 * reported as not checked) or when an extra table is missing or malformed (its good entries are
 * still used).
 */
export async function enableCBodies(apiFiles: string[] = []): Promise<string | undefined> {
  let table: ApiTable;
  let problems: string[];
  try {
    await loadCParser();
    const loaded = loadApiTable(apiFiles);
    table = loaded.table;
    problems = loaded.problems.map((problem) => `${problem.line > 0 ? `${problem.path}:${problem.line}` : problem.path}: ${problem.message}`);
  } catch (error) {
    return `The C parser could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
  }
  setCBodyTranslator((body, file) => translateCBody(body.code, body.codeStart, cBodyContextFromFile(file, table, paramsOf(file, body))));
  return problems.length > 0 ? `The kernel API tables have problems: ${problems.join('; ')}` : undefined;
}

let enabledFor: string | undefined;
let enabling: Promise<string | undefined> = Promise.resolve(undefined);

/**
 * `enableCBodies` once per set of API files: while the files stay the same, every caller gets the
 * first call's outcome, and the translator is rebuilt only when they change.
 */
export function cBodiesFor(apiFiles: string[]): Promise<string | undefined> {
  const key = apiFiles.join('\n');
  if (key !== enabledFor) {
    enabledFor = key;
    enabling = enableCBodies(apiFiles);
  }
  return enabling;
}
