// The kernel API table: what each kernel function does to references, locks and memory.
//
// The table is data (grammars/kernel-apis.json, format in docs/kernel-apis.md). Users add files of
// the same format; a later entry with the same name replaces an earlier one. Malformed files give
// LT4102 problems with the file and line, never an exception.

import * as fs from 'fs';
import * as path from 'path';
import { CODES, makeDiagnostic, type Diagnostic } from '../diagnostics/codes';
import { LineIndex } from '../util/lineIndex';

export type ApiEffect = 'acquire' | 'release' | 'iterator' | 'managed' | 'scoped';
/** `model` entries say only what C bodies in models translate a call into (see `ModelApiEntry`). */
const MODEL_EFFECT = 'model';
export type ResourceKind = 'ref' | 'lock' | 'memory' | 'mapping' | 'pin';
/** The return values that mean an acquire succeeded. */
export type AcquireWhen = 'always' | 'nonnull' | 'not-err' | 'not-err-or-null' | 'zero' | 'nonzero' | 'positive' | 'dma-ok';

export interface ApiEntry {
  name: string;
  effect: ApiEffect;
  /** Acquires and releases pair up by family; a release may list several, space-separated. */
  families: string[];
  kind: ResourceKind;
  /** Where the object is: the return value, an argument index, or none (a global such as RCU). */
  object: 'return' | 'none' | number;
  when: AcquireWhen;
  /** The argument whose reference the call drops before acquiring (of_find_*(from, ...)). */
  consumes?: number;
  /** An argument the call keeps, so that what the caller held of it now belongs there (`d_add(dentry, inode)` hashes `dentry`). */
  keeps?: number;
  /** The canonical release, for fixes and hovers. */
  release?: string;
  /** A release call template: {object}, {argN}, {result}. */
  fix?: string;
  /** Report a missing release even in functions that never release this family. */
  mustRelease: boolean;
  /** The release may free the object, so a later use is a use after release. */
  frees: boolean;
  /** The API returns its argument (of_node_get(np) returns np). */
  returnsObject: boolean;
  /** Iterators: the index of the loop variable. */
  loopVar?: number;
  /** Release: the argument called when the count reaches zero (kref_put). */
  onZero?: number;
  /** The release may run a callback that frees the structure containing the object (`kobject_put(&x->kobj)` frees x). */
  freesContainer: boolean;
  /** A member of the result that tells success (`.file` for fdget's struct fd). */
  testMember?: string;
  /** An argument under which the object is also known (the buffer a DMA mapping maps). */
  via?: number;
  /** A suffix under which the object is also known, e.g. `->dev` for a platform device. */
  alias?: string;
  note?: string;
  /** Where the entry came from, for messages. */
  source: string;
}

export interface ApiTable {
  byName: Map<string, ApiEntry>;
  /** Families that have at least one acquire or iterator entry. */
  families: Set<string>;
  /** Families that some entry of `byName` acquires as a lock (see `refreshLockFamilies`). */
  lockFamilies: Set<string>;
  /**
   * What C bodies in models translate calls into (entries with `"effect": "model"`): kept apart
   * from `byName`, so that the path analysis of C files treats these calls as before.
   */
  models: Map<string, ModelApiEntry>;
}

/**
 * A kernel function as a `.lifetime` statement or condition: `queue_work {arg1}`, `put {arg0}
 * locking {arg2}`. Placeholders: `{argN}` the model place of argument N (`null` for NULL), `{objN}`
 * the object that argument N lies in (`&e->rcu` gives `e`), `{fnN}` argument N as a procedure name,
 * `{result}` the place the call's value is assigned to.
 */
export interface ModelApiEntry {
  name: string;
  model: string;
  note?: string;
  source: string;
}

export interface ApiFileProblem {
  path: string;
  /** 1-based line of the problem in that file. */
  line: number;
  message: string;
  diagnostic: Diagnostic;
}

export interface ApiTableResult {
  table: ApiTable;
  problems: ApiFileProblem[];
}

const EFFECTS: readonly string[] = ['acquire', 'release', 'iterator', 'managed', 'scoped', MODEL_EFFECT];
const KINDS: readonly string[] = ['ref', 'lock', 'memory', 'mapping', 'pin'];
const WHENS: readonly string[] = ['always', 'nonnull', 'not-err', 'not-err-or-null', 'zero', 'nonzero', 'positive', 'dma-ok'];
const KNOWN_FIELDS = new Set([
  'name', 'effect', 'family', 'kind', 'object', 'when', 'consumes', 'keeps', 'release', 'fix', 'mustRelease', 'frees',
  'returnsObject', 'loopVar', 'onZero', 'alias', 'note', 'via', 'testMember', 'freesContainer', 'model',
]);
const MODEL_FIELDS = new Set(['name', 'effect', 'model', 'note']);

/** The path of the built-in table: next to the bundle, else in the repository's grammars/. */
export function builtinApiFile(): string {
  const candidates = [
    path.join(__dirname, 'kernel-apis.json'),
    path.join(__dirname, 'grammars', 'kernel-apis.json'),
    path.join(__dirname, '..', 'grammars', 'kernel-apis.json'),
    path.resolve(__dirname, '../../../../../grammars/kernel-apis.json'),
    path.resolve(__dirname, '../../../../grammars/kernel-apis.json'),
    path.join(process.cwd(), 'grammars', 'kernel-apis.json'),
  ];
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  return candidates[candidates.length - 1];
}

/** Offsets of the elements of the top-level `apis` array, found by a small string-aware scan. */
function elementOffsets(text: string): number[] {
  const key = text.search(/"apis"\s*:\s*\[/);
  if (key < 0) return [];
  const offsets: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = text.indexOf('[', key) + 1; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      if (depth === 0) offsets.push(i);
      depth++;
    } else if (ch === '}' || ch === ']') {
      if (depth === 0) break;
      depth--;
    }
  }
  return offsets;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObjectField(value: unknown): ApiEntry['object'] | string {
  if (value === 'return' || value === 'none') return value;
  if (typeof value === 'string') {
    const match = /^arg(\d)$/.exec(value);
    if (match) return Number(match[1]);
  }
  return `"object" must be "return", "none" or "argN" (N a digit), not ${JSON.stringify(value)}`;
}

/** Validates a `model` entry: a name, the template and an optional note. */
function validateModelEntry(raw: Record<string, unknown>, source: string): ModelApiEntry | string[] {
  const errors: string[] = [];
  for (const field of Object.keys(raw)) if (!MODEL_FIELDS.has(field)) errors.push(`a model entry has no field "${field}"`);
  if (typeof raw.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw.name)) errors.push('"name" must be a C identifier');
  if (typeof raw.model !== 'string' || raw.model.trim() === '') errors.push('"model" must be a .lifetime statement or condition');
  else for (const placeholder of raw.model.match(/\{[^}]*\}/g) ?? []) {
    if (!/^\{(arg\d|obj\d|fn\d|result)\}$/.test(placeholder)) errors.push(`"model" has an unknown placeholder ${placeholder} (use {argN}, {objN}, {fnN} or {result})`);
  }
  if (raw.note !== undefined && typeof raw.note !== 'string') errors.push('"note" must be a string');
  if (errors.length > 0) return errors;
  return { name: raw.name as string, model: (raw.model as string).trim(), note: raw.note as string | undefined, source };
}

/** Validates one entry; returns the entry or the list of what is wrong with it. */
function validateEntry(raw: unknown, source: string): ApiEntry | ModelApiEntry | string[] {
  if (!isRecord(raw)) return ['an API entry must be an object'];
  if (raw.effect === MODEL_EFFECT) return validateModelEntry(raw, source);
  const errors: string[] = [];
  for (const field of Object.keys(raw)) if (!KNOWN_FIELDS.has(field)) errors.push(`unknown field "${field}"`);
  const name = raw.name;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) errors.push('"name" must be a C identifier');
  const effect = raw.effect;
  if (typeof effect !== 'string' || !EFFECTS.includes(effect)) errors.push(`"effect" must be one of ${EFFECTS.join(', ')}`);
  const needsFamily = effect === 'acquire' || effect === 'release' || effect === 'iterator';
  const family = raw.family;
  if (needsFamily && (typeof family !== 'string' || family.trim() === '')) errors.push('"family" is required for acquire, release and iterator entries');
  const kind = raw.kind ?? (effect === 'release' ? 'ref' : undefined);
  if ((effect === 'acquire' || effect === 'iterator') && (typeof kind !== 'string' || !KINDS.includes(kind))) {
    errors.push(`"kind" must be one of ${KINDS.join(', ')}`);
  }
  let object: ApiEntry['object'] = 'none';
  if (effect === 'acquire' || effect === 'release') {
    const parsed = parseObjectField(raw.object);
    if (typeof parsed === 'string' && parsed !== 'return' && parsed !== 'none') errors.push(parsed);
    else object = parsed as ApiEntry['object'];
    if (effect === 'release' && object === 'return') errors.push('a release cannot have "object": "return"');
  }
  const when = raw.when ?? 'always';
  if (typeof when !== 'string' || !WHENS.includes(when)) errors.push(`"when" must be one of ${WHENS.join(', ')}`);
  const optionalIndex = (field: string): number | undefined => {
    const value = raw[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 9) {
      errors.push(`"${field}" must be an argument index 0-9`);
      return undefined;
    }
    return value;
  };
  const consumes = optionalIndex('consumes');
  const keeps = optionalIndex('keeps');
  const loopVar = optionalIndex('loopVar');
  const onZero = optionalIndex('onZero');
  const via = optionalIndex('via');
  if (effect === 'iterator' && loopVar === undefined) errors.push('an iterator needs "loopVar"');
  const optionalString = (field: string): string | undefined => {
    const value = raw[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      errors.push(`"${field}" must be a string`);
      return undefined;
    }
    return value;
  };
  const optionalBool = (field: string): boolean => {
    const value = raw[field];
    if (value === undefined) return false;
    if (typeof value !== 'boolean') errors.push(`"${field}" must be true or false`);
    return value === true;
  };
  const release = optionalString('release');
  const fix = optionalString('fix');
  const alias = optionalString('alias');
  const testMember = optionalString('testMember');
  const note = optionalString('note');
  const mustRelease = optionalBool('mustRelease');
  const freesGiven = raw.frees !== undefined;
  const frees = optionalBool('frees');
  const returnsObject = optionalBool('returnsObject');
  const freesContainer = optionalBool('freesContainer');
  if (errors.length > 0) return errors;
  const families = typeof family === 'string' ? family.trim().split(/\s+/) : [];
  return {
    name: name as string,
    effect: effect as ApiEffect,
    families,
    kind: kind as ResourceKind,
    object,
    when: when as AcquireWhen,
    consumes,
    keeps,
    release,
    fix,
    mustRelease,
    frees: freesGiven ? frees : false,
    returnsObject,
    freesContainer,
    loopVar,
    onZero,
    via,
    testMember,
    alias,
    note,
    source,
  };
}

/**
 * Where JSON text first goes wrong, for engines whose messages give no position: the shortest prefix
 * that fails for a reason other than ending early.
 */
function jsonErrorOffset(text: string): number {
  const failsEarly = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      return !(error instanceof Error && /end of JSON input|Unterminated/i.test(error.message));
    }
  };
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (failsEarly(mid)) high = mid;
    else low = mid + 1;
  }
  return Math.max(0, low - 1);
}

function problem(file: string, text: string, offset: number, message: string): ApiFileProblem {
  const index = new LineIndex(text);
  const line = index.positionAt(offset).line + 1;
  const full = `${file}:${line}: ${message}`;
  const diagnostic = makeDiagnostic(CODES.cApiFile, full, offset, Math.min(text.length, offset + 1), [
    { start: offset, end: Math.min(text.length, offset + 1), message, path: file },
  ]);
  return { path: file, line, message, diagnostic };
}

/** Adds the entries of one file's text to `table`; returns what is wrong with it. */
/** The kind of a JSON.parse error without any excerpt of the text it quotes. */
function jsonErrorKind(message: string): string {
  if (/unexpected end/i.test(message)) return 'the text ends too early';
  if (/unexpected token|unexpected character|unexpected non-whitespace|is not valid JSON/i.test(message)) return 'unexpected character';
  if (/bad control character|bad escaped character|unterminated string/i.test(message)) return 'bad string';
  return 'syntax error';
}

/** The built-in table plus `extra` texts (later files override earlier entries); nothing is read but the built-in file. */
export function apiTableFromTexts(extra: readonly { path: string; text: string }[]): ApiTableResult {
  const builtin = loadApiTable([]);
  const table = emptyApiTable();
  for (const [name, entry] of builtin.table.byName) table.byName.set(name, entry);
  for (const [name, model] of builtin.table.models) table.models.set(name, model);
  for (const family of builtin.table.families) table.families.add(family);
  refreshLockFamilies(table);
  const problems: ApiFileProblem[] = [...builtin.problems];
  for (const file of extra) problems.push(...addApiText(table, file.text, file.path));
  return { table, problems };
}

export function addApiText(table: ApiTable, text: string, file: string): ApiFileProblem[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    // The parser's message can quote the text; a file named by an untrusted workspace must not have
    // its contents echoed, so only the kind of error and its place are kept.
    return [problem(file, text, position ? Number(position[1]) : jsonErrorOffset(text), `not valid JSON (${jsonErrorKind(message)})`)];
  }
  if (!isRecord(document) || !Array.isArray(document.apis)) {
    return [problem(file, text, 0, 'the file must be a JSON object with an "apis" array')];
  }
  const offsets = elementOffsets(text);
  const problems: ApiFileProblem[] = [];
  document.apis.forEach((raw: unknown, i: number) => {
    const result = validateEntry(raw, file);
    const offset = offsets[i] ?? 0;
    if (Array.isArray(result)) {
      const label = isRecord(raw) && typeof raw.name === 'string' ? `API "${raw.name}"` : `API entry ${i + 1}`;
      problems.push(problem(file, text, offset, `${label}: ${result.join('; ')}`));
      return;
    }
    if (!('effect' in result)) {
      table.models.set(result.name, result);
      return;
    }
    table.byName.set(result.name, result);
    if (result.effect === 'acquire' || result.effect === 'iterator') for (const family of result.families) table.families.add(family);
  });
  refreshLockFamilies(table);
  return problems;
}

/** Recomputes `lockFamilies` from the entries now in `byName` (a later file may override an entry). */
function refreshLockFamilies(table: ApiTable): void {
  table.lockFamilies.clear();
  for (const entry of table.byName.values()) if (entry.effect === 'acquire' && entry.kind === 'lock') for (const family of entry.families) table.lockFamilies.add(family);
}

export function emptyApiTable(): ApiTable {
  return { byName: new Map(), families: new Set(), lockFamilies: new Set(), models: new Map() };
}

const cache = new Map<string, ApiTableResult>();

/** Loads the built-in table plus `extraFiles` (later files override earlier entries). Memoised. */
export function loadApiTable(extraFiles: string[] = []): ApiTableResult {
  const key = extraFiles.join('\n');
  const cached = cache.get(key);
  if (cached) return cached;
  const table = emptyApiTable();
  const problems: ApiFileProblem[] = [];
  for (const file of [builtinApiFile(), ...extraFiles]) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(problem(file, '', 0, `cannot read the API file: ${reason}`));
      continue;
    }
    problems.push(...addApiText(table, text, file));
  }
  const result = { table, problems };
  cache.set(key, result);
  return result;
}

const KIND_WORDS: Record<ResourceKind, string> = {
  ref: 'a reference',
  lock: 'the lock',
  memory: 'memory',
  mapping: 'a mapping',
  pin: 'pinned pages',
};

const WHEN_WORDS: Record<AcquireWhen, string> = {
  always: '',
  nonnull: ' when it returns non-NULL',
  'not-err': ' when the result is not an IS_ERR pointer',
  'not-err-or-null': ' when the result is neither NULL nor an IS_ERR pointer',
  zero: ' only when it returns 0',
  nonzero: ' only when it returns non-zero',
  positive: ' when it returns a positive count',
  'dma-ok': ' unless dma_mapping_error() says the mapping failed',
};

function objectWords(entry: ApiEntry): string {
  if (entry.object === 'return') return 'the returned object';
  if (entry.object === 'none') return `the ${entry.families[0]} section`;
  return `argument ${entry.object + 1}`;
}

/** The effect of a kernel call in words, for hovers; undefined for calls the table does not know. */
export function describeCCall(name: string, table?: ApiTable): string | undefined {
  const known = table ?? loadApiTable().table;
  const entry = known.byName.get(name);
  const model = known.models.get(name);
  const inModels = model ? `In a model's C body: \`${model.model}\`.${model.note ? ` ${model.note}` : ''}` : undefined;
  if (!entry) return inModels;
  const parts: string[] = [];
  switch (entry.effect) {
    case 'acquire': {
      const what = entry.kind === 'lock' ? `Takes ${KIND_WORDS.lock}` : `Acquires ${KIND_WORDS[entry.kind]}`;
      parts.push(`${what} (${entry.families.join('/')}) on ${objectWords(entry)}${WHEN_WORDS[entry.when]}.`);
      if (entry.consumes !== undefined) parts.push(`Drops the reference held on argument ${entry.consumes + 1}.`);
      if (entry.release) parts.push(`Release with ${entry.release}().`);
      break;
    }
    case 'release':
      parts.push(`Releases ${entry.families.join('/')} on ${objectWords(entry)}.`);
      if (entry.keeps !== undefined) parts.push(`Keeps argument ${entry.keeps + 1}: what the caller held of it belongs to the call's structure from then on.`);
      if (entry.onZero !== undefined) parts.push(`Calls argument ${entry.onZero + 1} when the count reaches zero.`);
      break;
    case 'iterator':
      parts.push(`Loop over ${entry.families[0]} objects holding a reference to the loop variable (argument ${(entry.loopVar ?? 0) + 1}); the next iteration drops it.`);
      parts.push(`Leaving the loop early with break, return or goto keeps the reference: release it with ${entry.release ?? 'the matching put'}().`);
      break;
    case 'managed':
      parts.push('Device-managed: released automatically when the driver detaches.');
      break;
    case 'scoped':
      parts.push('Scope-based cleanup.');
      break;
  }
  if (entry.note && !parts.includes(entry.note)) parts.push(entry.note);
  if (inModels) parts.push(inModels);
  return parts.join(' ');
}
