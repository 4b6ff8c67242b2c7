// A real third-party LSP client: headless Neovim attaches the built language server
// (dist/server/server.js --stdio) to .lifetime files through its own LSP client, set up with the
// Lua block docs/editors.md gives for the installed Neovim's version (Debian's 0.7.2 gets the 0.7
// one), so that the documented set-up cannot rot; test/neovim/init.lua writes what Neovim received
// as JSON, and this test asserts on it.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const repoRoot = process.cwd();
// LIFETIME_LANGUAGE_SERVER points the test at another build of the server.
const serverPath = path.resolve(process.env.LIFETIME_LANGUAGE_SERVER ?? path.join(repoRoot, 'dist/server/server.js'));
const initLua = path.join(repoRoot, 'test/neovim/init.lua');
const fixtures = path.join(repoRoot, 'test/neovim/fixtures');
const DIAGNOSTICS_TIMEOUT_MS = 15_000;
// Two files, each waiting at most for its diagnostics, its hovers, its lenses and their commands, plus start-up.
const NVIM_TIMEOUT_MS = 8 * DIAGNOSTICS_TIMEOUT_MS + 10_000;

/** Neovim's diagnostic as init.lua records it: 0-based lines, byte columns, 1 = error. */
interface NvimDiagnostic {
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  severity: number;
  message: string;
  code?: string | number;
  source?: string;
}

interface NvimFileResult {
  path: string;
  filetype: string;
  attached: boolean;
  diagnostics: NvimDiagnostic[] | Record<string, never>;
  hover: { result?: unknown; error?: string };
  step_hover?: { result?: unknown; error?: string };
  inlay_hints?: { result?: { label: string | { value: string }[]; position: Position }[]; error?: string };
  lenses?: { titles: { line: number; title: string; command: string }[]; trace_answer: string | null; trace_messages: string[]; recheck_answer: string | null };
}

interface NvimResults {
  nvim: string;
  files: NvimFileResult[];
  error?: string;
  server_exit?: { code: number; signal: number };
}

interface Position {
  line: number;
  character: number;
}

function findOnPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** Why the test cannot run here, or undefined when it can. */
function missingRequirement(): string | undefined {
  if (!findOnPath('nvim')) return 'nvim is not installed (Debian package neovim)';
  if (!fs.existsSync(serverPath)) return `${path.relative(repoRoot, serverPath)} is not built (npm run build)`;
  return undefined;
}

/** The 0-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): Position {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `fixture text has no "${needle}"`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

/** Flattens an LSP hover result (MarkupContent, MarkedString or an array of them) into text. */
function hoverText(result: unknown): string {
  if (result === null || result === undefined) return '';
  if (typeof result === 'string') return result;
  if (Array.isArray(result)) return result.map(hoverText).join('\n');
  if (typeof result === 'object') {
    const record = result as Record<string, unknown>;
    if ('contents' in record) return hoverText(record.contents);
    if (typeof record.value === 'string') return record.value;
  }
  return '';
}

function diagnosticsOf(file: NvimFileResult): NvimDiagnostic[] {
  return Array.isArray(file.diagnostics) ? file.diagnostics : [];
}

function describe(diagnostics: NvimDiagnostic[]): string {
  return diagnostics.map((d) => `${d.lnum + 1}:${d.col + 1} sev ${d.severity} ${String(d.code)} ${d.message}`).join('\n') || '(none)';
}

/** The installed Neovim's version, as [major, minor]. */
function nvimVersion(): [number, number] {
  const match = /NVIM v(\d+)\.(\d+)/.exec(spawnSync('nvim', ['--version'], { encoding: 'utf8' }).stdout ?? '');
  assert.ok(match, 'nvim --version names no version');
  return [Number(match[1]), Number(match[2])];
}

/** The Lua block under a `### ` heading of docs/editors.md. */
function docBlock(heading: string): string {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs/editors.md'), 'utf8');
  const at = doc.indexOf(`\n### ${heading}\n`);
  assert.ok(at >= 0, `docs/editors.md has no heading "### ${heading}"`);
  const block = /```lua\n([^]*?)```/.exec(doc.slice(at));
  assert.ok(block, `docs/editors.md has no lua block under "### ${heading}"`);
  return block[1];
}

/** The documented set-up for this Neovim. */
function setupFor([major, minor]: [number, number]): { heading: string; lua: string } {
  const heading = major > 0 || minor >= 10 ? 'Neovim 0.10 or newer' : 'Neovim 0.7 to 0.9';
  return { heading, lua: docBlock(heading) };
}

/** Runs Neovim over the files in a temporary workspace and returns what init.lua recorded. */
interface NvimFile {
  name: string;
  hover: Position;
  step_hover?: Position;
  lenses?: boolean;
  inlay_hints?: boolean;
}

async function runNeovim(files: NvimFile[]): Promise<{ results: NvimResults; stderr: string }> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-nvim-'));
  try {
    const listed = files.map(({ name, ...requests }) => {
      const target = path.join(workspace, name);
      fs.copyFileSync(path.join(fixtures, name), target);
      return { path: target, ...requests };
    });
    const out = path.join(workspace, 'results.json');
    // The documented set-up runs `lifetime-language-server --stdio`: put the built server on the PATH under that name.
    const bin = path.join(workspace, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'lifetime-language-server'), `#!/bin/sh\nexec '${process.execPath}' '${serverPath}' "$@"\n`, { mode: 0o755 });
    const setup = path.join(workspace, 'setup.lua');
    fs.writeFileSync(setup, setupFor(nvimVersion()).lua);
    const xdg = (name: string) => path.join(workspace, 'xdg', name);
    const env = {
      ...process.env,
      HOME: workspace,
      XDG_CONFIG_HOME: xdg('config'),
      XDG_DATA_HOME: xdg('data'),
      XDG_STATE_HOME: xdg('state'),
      XDG_CACHE_HOME: xdg('cache'),
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      LIFETIME_NVIM_SETUP: setup,
      LIFETIME_NVIM_FILES: JSON.stringify(listed),
      LIFETIME_NVIM_OUT: out,
      LIFETIME_NVIM_TIMEOUT_MS: String(DIAGNOSTICS_TIMEOUT_MS),
    };
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn('nvim', ['--headless', '-n', '-i', 'NONE', '-u', initLua], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`nvim did not finish within ${NVIM_TIMEOUT_MS} ms; output:\n${output}`));
      }, NVIM_TIMEOUT_MS);
      child.on('error', (error) => { clearTimeout(timer); reject(error); });
      child.on('exit', () => { clearTimeout(timer); resolve(output); });
    });
    assert.ok(fs.existsSync(out), `nvim wrote no results; its output:\n${stderr}`);
    return { results: JSON.parse(fs.readFileSync(out, 'utf8')) as NvimResults, stderr };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

const missing = missingRequirement();

test('Neovim\'s own LSP client gets diagnostics, hovers, code-lens commands and inlay hints from the server', { skip: process.env.CI ? false : missing }, async (t) => {
  if (missing) assert.fail(`CI is set, so this test must run: ${missing}`);

  const syntaxText = fs.readFileSync(path.join(fixtures, 'syntax-error.lifetime'), 'utf8');
  const violationText = fs.readFileSync(path.join(fixtures, 'use-after-free.lifetime'), 'utf8');
  const strayCharacter = positionOf(syntaxText, '$');
  const useStep = positionOf(violationText, 'use buf');
  const objectName = positionOf(violationText, 'object buf');
  objectName.character += 'object '.length;
  const freeStep = positionOf(violationText, 'free buf');
  const modelLine = positionOf(violationText, 'model free_races_use').line;

  const { results, stderr } = await runNeovim([
    { name: 'syntax-error.lifetime', hover: strayCharacter },
    { name: 'use-after-free.lifetime', hover: objectName, step_hover: freeStep, lenses: true, inlay_hints: true },
  ]);
  assert.equal(results.error, undefined, `init.lua failed: ${results.error}\n${stderr}`);
  assert.equal(results.files.length, 2);
  const [syntaxFile, violationFile] = results.files;

  await t.test('the documented set-up gives .lifetime buffers their filetype, attaches the server, and it stays up', () => {
    assert.deepEqual([syntaxFile.filetype, violationFile.filetype], ['lifetime', 'lifetime']);
    assert.ok(syntaxFile.attached && violationFile.attached, 'the client is not attached to both buffers');
    assert.equal(results.server_exit, undefined, `the server exited: ${JSON.stringify(results.server_exit)}`);
  });

  await t.test('a syntax error is reported at the stray character', () => {
    const diagnostics = diagnosticsOf(syntaxFile);
    const syntax = diagnostics.filter((d) => /^LT1\d{3}$/.test(String(d.code)));
    assert.ok(syntax.length > 0, `no syntax diagnostic; got:\n${describe(diagnostics)}`);
    const first = syntax[0];
    assert.equal(first.severity, 1, 'a syntax error is an error');
    assert.equal(first.lnum, strayCharacter.line);
    assert.ok(first.col <= strayCharacter.character && strayCharacter.character <= Math.max(first.end_col, first.col),
      `the syntax error does not cover column ${strayCharacter.character + 1}:\n${describe(syntax)}`);
  });

  await t.test('the use-after-free is reported on the violating step, and the missing expectation on the model line', () => {
    const diagnostics = diagnosticsOf(violationFile);
    const errors = diagnostics.filter((d) => d.severity === 1).sort((a, b) => a.lnum - b.lnum);
    assert.deepEqual(errors.map((d) => ({ code: d.code, line: d.lnum })), [{ code: 'LT3502', line: modelLine }, { code: 'LT3001', line: useStep.line }],
      `errors:\n${describe(diagnostics)}`);
    assert.equal(errors[1].message, 'use-after-free in the baseline: use buf: buf was freed');
    assert.match(errors[0].message, /^the baseline has a use-after-free and no expectation names it/);
  });

  await t.test('hover on a step of the counterexample gives its place in the trace', () => {
    const text = hoverText(violationFile.step_hover?.result);
    assert.match(text, /^\*\*Step 1 of 2\*\* of baseline's use-after-free trace: cpu0 runs `free buf \(frees buf\)`/, `hover text: ${JSON.stringify(text)}`);
  });

  await t.test('the code lenses carry the verdict, and their commands run through workspace/executeCommand', () => {
    const lenses = violationFile.lenses;
    assert.ok(lenses, 'no code lenses were fetched');
    const onModel = lenses.titles.filter((l) => l.line === modelLine).map((l) => `${l.title} -> ${l.command}`);
    assert.deepEqual(onModel, ['✗ use-after-free in 2 steps, unexpected -> lifetime.showTrace', 'Show trace -> lifetime.showTrace', 'Re-check -> lifetime.recheck']);
    // "Show trace": Neovim 0.7 has no window/showDocument, so the trace arrives as a message.
    assert.equal(typeof lenses.trace_answer, 'string', JSON.stringify(lenses));
    assert.match(lenses.trace_answer!, /^use-after-free\.lifetime: 1 unexpected violation: baseline use-after-free\n/);
    assert.match(lenses.trace_answer!, /cpu0 +cpu1\n/);
    assert.match(lenses.trace_answer!, /\/\/ Boom: use buf: buf was freed/);
    assert.ok(lenses.trace_messages.includes(lenses.trace_answer!), `the trace was not shown: ${JSON.stringify(lenses.trace_messages)}`);
    assert.equal(lenses.recheck_answer, '1 unexpected violation: baseline use-after-free');
  });

  await t.test('inlay hints from the values the search saw', () => {
    const hints = violationFile.inlay_hints;
    assert.equal(hints?.error, undefined, hints?.error);
    const labels = (hints?.result ?? []).map((h) => `${h.position.line}: ${typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')}`);
    assert.deepEqual(labels, [`${freeStep.line}: live→freed`]);
  });

  await t.test('hover on an object declaration names it and its kind', () => {
    assert.equal(violationFile.hover.error, undefined, `hover failed: ${violationFile.hover.error}`);
    const text = hoverText(violationFile.hover.result);
    assert.match(text, /\bbuf\b/, `hover text: ${JSON.stringify(text)}`);
    assert.match(text, /object/i, `hover text: ${JSON.stringify(text)}`);
  });
});

test('both documented Neovim set-ups are valid Lua, and each names only what its versions have', { skip: process.env.CI || findOnPath('nvim') ? false : 'nvim is not installed (Debian package neovim)' }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-nvim-doc-'));
  try {
    for (const heading of ['Neovim 0.10 or newer', 'Neovim 0.7 to 0.9']) {
      const file = path.join(dir, 'block.lua');
      fs.writeFileSync(file, docBlock(heading));
      // loadstring compiles without running: the 0.10 block is checked on Debian's 0.7 too.
      const checked = spawnSync('nvim', ['--headless', '-n', '-i', 'NONE', '-u', 'NONE', '-c', `lua local f = assert(io.open([[${file}]])); local ok, err = loadstring(f:read('*a')); f:close(); if not ok then io.stderr:write(err) vim.cmd('cquit 3') end`, '-c', 'qall!'], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(checked.status, 0, `${heading}: ${checked.stderr}`);
    }
    // The 0.7 block must not call what 0.7 lacks.
    const old = docBlock('Neovim 0.7 to 0.9');
    for (const newer of ['vim.lsp.start(', 'LspAttach', 'vim.fs.', 'vim.filetype.add', 'vim.lsp.inlay_hint']) assert.ok(!old.includes(newer), `the 0.7 set-up uses ${newer}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
