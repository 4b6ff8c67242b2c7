// Runs test/vscode/suite in a desktop VS Code through @vscode/test-electron, with this repository as
// the extension under development (npm run test:vscode builds dist/ first).
//
//   VSCODE_PATH=/path/to/code npm run test:vscode
//
// VS Code cannot be downloaded here, so the suite never downloads one: without VSCODE_PATH it says
// so and exits 0. The last line is `N passed, N failed` from the suite, or the skip notice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { loadModel } from '../e2e/lib/model.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main() {
  const vscodePath = process.env.VSCODE_PATH;
  if (!vscodePath) {
    console.log('test:vscode: skipped: VSCODE_PATH is not set, so there is no desktop VS Code to run the suite in.');
    console.log('Set VSCODE_PATH to a VS Code executable (e.g. /usr/share/code/code) to run it; nothing is downloaded.');
    return 0;
  }
  if (!fs.existsSync(vscodePath)) {
    console.error(`test:vscode: VSCODE_PATH is ${vscodePath}, which does not exist`);
    return 1;
  }
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'client', 'extension.js'))) {
    console.error('test:vscode: dist/client/extension.js is missing; run `npm run build` (npm run test:vscode does)');
    return 1;
  }

  const model = loadModel(repoRoot);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifetime-vscode-'));
  try {
    const workspace = path.join(runDir, 'workspace');
    fs.mkdirSync(workspace, { recursive: true });
    const modelPath = path.join(workspace, model.fileName);
    fs.writeFileSync(modelPath, model.text);
    const spec = {
      path: modelPath,
      violationLine: model.violationLine,
      violationCode: model.violationCode,
      violationKind: model.violationKind.source,
      threads: model.threads,
    };
    await runTests({
      vscodeExecutablePath: vscodePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: path.join(repoRoot, 'test', 'vscode', 'suite', 'index.cjs'),
      extensionTestsEnv: { LIFETIME_VSCODE_SPEC: JSON.stringify(spec) },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', path.join(runDir, 'user-data'), '--extensions-dir', path.join(runDir, 'extensions')],
    });
    return 0;
  } catch (error) {
    console.error(`test:vscode: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

process.exit(await main());
