// End-to-end test of the packaged extension in the real VS Code workbench (code-server) driven by
// headless Chromium. `npm run test:e2e` builds ./lifetime-review.vsix first, then runs this.
//
//   node test/e2e/run.mjs [--vsix FILE] [--smoke] [--keep]
//     --vsix FILE  the extension to install (default: ./lifetime-review.vsix)
//     --smoke      install a throwaway extension instead, to check the harness itself
//     --keep       keep the run directory (profile, workspace, logs) for inspection
//
// Environment: LIFETIME_E2E_CACHE (default ${TMPDIR:-/tmp}/lifetime-e2e) holds the code-server
// install between runs; CHROMIUM_PATH (default /usr/bin/chromium).
// Screenshots and logs go to test-artifacts/e2e/. The last line is `N passed, N failed`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecks } from './lib/checks.mjs';
import { runProductChecks } from './lib/productChecks.mjs';
import {
  cacheRoot, ensureCodeServer, freePort, installExtension, isolatedEnv, missingPrerequisites, startCodeServer,
  stopCodeServer, writeUserSettings,
} from './lib/codeServer.mjs';
import { loadModel } from './lib/model.mjs';
import { writeWorkspace } from './lib/workspace.mjs';
import { firstLine, retry } from './lib/process.mjs';
import { Reporter } from './lib/reporter.mjs';
import { buildSmokeExtension } from './lib/smokeExtension.mjs';
import { launchBrowser, openFile, openWorkbench, screenshot } from './lib/workbench.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const artifactsDir = path.join(repoRoot, 'test-artifacts', 'e2e');
const started = Date.now();
const log = (message) => console.log(`# [${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

function parseArguments(argv) {
  const options = { vsix: path.join(repoRoot, 'lifetime-review.vsix'), smoke: false, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--smoke') options.smoke = true;
    else if (argument === '--keep') options.keep = true;
    else if (argument === '--vsix' && i + 1 < argv.length) options.vsix = path.resolve(argv[++i]);
    else throw new Error(`unknown argument "${argument}"; usage: node test/e2e/run.mjs [--vsix FILE] [--smoke] [--keep]`);
  }
  return options;
}

/** Creates a fresh run directory with the workspace holding the model and the other files. */
function prepareRun(root, model) {
  const runDir = path.join(root, 'runs', `${process.pid}`);
  fs.rmSync(runDir, { recursive: true, force: true });
  const workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(path.join(runDir, 'extensions'), { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, model.fileName), model.text);
  const files = writeWorkspace(repoRoot, workspace);
  writeUserSettings(runDir);
  return { runDir, workspace, files };
}

/** Copies the server and extension-host logs next to the screenshots. */
function collectLogs(runDir) {
  const target = path.join(artifactsDir, 'logs');
  fs.mkdirSync(target, { recursive: true });
  for (const name of ['code-server.log', 'install-extension.log']) {
    const file = path.join(runDir, name);
    if (fs.existsSync(file)) fs.copyFileSync(file, path.join(target, name));
  }
  const vscodeLogs = path.join(runDir, 'user-data', 'logs');
  if (fs.existsSync(vscodeLogs)) fs.cpSync(vscodeLogs, path.join(target, 'vscode'), { recursive: true });
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(artifactsDir, { recursive: true });

  const missing = missingPrerequisites();
  if (missing) throw new Error(`cannot run the end-to-end test: ${missing}`);
  if (!options.smoke && !fs.existsSync(options.vsix)) {
    throw new Error(`${options.vsix} does not exist; build it with \`npm run package\` (npm run test:e2e does)`);
  }

  const model = loadModel(repoRoot);
  log(`model: ${model.source}; violation expected on line ${model.violationLine}; threads ${model.threads.join(', ')}`);
  const root = cacheRoot();
  const entry = await ensureCodeServer(root, log);
  const { runDir, workspace, files } = prepareRun(root, model);
  const vsix = options.smoke ? await buildSmokeExtension(repoRoot, path.join(runDir, 'smoke-extension')) : options.vsix;
  await installExtension(entry, runDir, vsix, log);

  let server;
  let browser;
  const stopAll = async () => {
    await browser?.context.close().catch(() => {});
    await stopCodeServer(server);
    server = undefined;
  };
  const onSignal = (signal) => {
    log(`${signal}: stopping code-server`);
    stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const port = await freePort();
    server = await startCodeServer(entry, runDir, workspace, port, log);
    browser = await launchBrowser(path.join(runDir, 'chromium-profile'), isolatedEnv(runDir));
    const { page } = browser;
    const results = new Reporter(page, artifactsDir, log);
    try {
      const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
      await retry('load the workbench', 2, () => openWorkbench(page, url), log);
      log('workbench up');
      await openFile(page, model.fileName, log);
      log(`opened ${model.fileName}`);
      await screenshot(page, artifactsDir, '00-model-opened', log);
    } catch (error) {
      await screenshot(page, artifactsDir, '00-setup-FAILED', log);
      results.fail('set up the workbench with the model open', error);
      return results;
    }
    const features = options.smoke ? [] : ['trace', 'quickfix'];
    await runChecks({ page, reporter: results, model, log, features });
    if (!options.smoke) await runProductChecks({ page, reporter: results, model, files, workspace, repoRoot, runDir, log });
    return results;
  } finally {
    await stopAll();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    collectLogs(runDir);
    if (!options.keep) fs.rmSync(runDir, { recursive: true, force: true });
    log(`artifacts: ${path.relative(repoRoot, artifactsDir)}/`);
  }
}

main().then(
  (results) => {
    console.log(`# e2e ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(results.summary());
    process.exit(results.failed === 0 ? 0 : 1);
  },
  (error) => {
    console.error(`e2e: ${firstLine(error)}`);
    const rest = String(error instanceof Error ? error.message : error).split('\n').slice(1).join('\n');
    if (rest) console.error(rest);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
