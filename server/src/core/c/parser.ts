// Loads web-tree-sitter and the tree-sitter-c grammar, the same way in the server, the CLI and tests.
//
// The bundles have both wasm files copied next to them (scripts/build.mjs); compiled tests and
// benchmarks under out/ find them in node_modules instead.

import * as fs from 'fs';
import * as path from 'path';
import { Language, Parser } from 'web-tree-sitter';
import type { Node as SyntaxNode, Tree } from 'web-tree-sitter';

export type { SyntaxNode, Tree };

export interface TextRange {
  startIndex: number;
  endIndex: number;
  startPosition: { row: number; column: number };
  endPosition: { row: number; column: number };
}

export interface CParser {
  /**
   * Parses C text, or only the given ranges of it (offsets stay those of the whole text). The caller
   * deletes the tree when done with it.
   */
  parse(text: string, ranges?: TextRange[]): Tree;
}

let loading: Promise<CParser> | undefined;
let loaded: CParser | undefined;

function findWasm(fileName: string, packageName: string): string {
  const beside = path.join(__dirname, fileName);
  if (fs.existsSync(beside)) return beside;
  try {
    const packageJson = require.resolve(`${packageName}/package.json`);
    const candidate = path.join(path.dirname(packageJson), fileName);
    if (fs.existsSync(candidate)) return candidate;
  } catch {
    // Fall through to the search from the working directory below.
  }
  const fromCwd = path.join(process.cwd(), 'node_modules', packageName, fileName);
  if (fs.existsSync(fromCwd)) return fromCwd;
  throw new Error(`cannot find ${fileName}: looked next to ${__dirname} and in node_modules/${packageName}`);
}

async function load(): Promise<CParser> {
  const runtimeWasm = findWasm('web-tree-sitter.wasm', 'web-tree-sitter');
  const grammarWasm = findWasm('tree-sitter-c.wasm', 'tree-sitter-c');
  await Parser.init({ locateFile: () => runtimeWasm });
  const language = await Language.load(grammarWasm);
  const parser = new Parser();
  parser.setLanguage(language);
  const cParser: CParser = {
    parse(text: string, ranges?: TextRange[]): Tree {
      const tree = ranges ? parser.parse(text, null, { includedRanges: ranges }) : parser.parse(text);
      if (!tree) throw new Error('tree-sitter returned no tree');
      return tree;
    },
  };
  loaded = cParser;
  return cParser;
}

/** Loads the C parser once; later calls return the same promise. */
export function loadCParser(): Promise<CParser> {
  if (!loading) {
    loading = load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  }
  return loading;
}

/** The parser if `loadCParser()` has finished, for synchronous callers. */
export function loadedCParser(): CParser | undefined {
  return loaded;
}
