// code-server: the real VS Code workbench and server, installed from the npm registry into a cache
// directory outside the repository, started on 127.0.0.1 in its own process group, stopped by
// killing that group.
//
// The install works offline apart from the npm registry:
// - code-server is installed with --ignore-scripts, because its postinstall would download ripgrep
//   from GitHub. The download cache of @vscode/ripgrep is pre-seeded with Debian's rg first, and
//   then code-server's postinstall runs by hand.
// - That postinstall refuses root unless npm_config_unsafe_perm is set, and node-pty's own
//   postinstall runs `npx node-gyp`, which needs npm_config_yes.
// - argon2 is loaded even with --auth none and its prebuilt download fails: it is rebuilt.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { retry, run, sleep, tail } from './process.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
const CODE_SERVER_NODE_MAJOR = 20;
const DEBIAN_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'libx11-dev', 'libxkbfile-dev', 'libsecret-1-dev', 'pkg-config'];

/** The cache directory that holds the install between runs. */
export function cacheRoot() {
  return process.env.LIFETIME_E2E_CACHE || path.join(process.env.TMPDIR || os.tmpdir(), 'lifetime-e2e');
}

/** Reports what the machine lacks for an install, as one message, or undefined when nothing. */
export function missingPrerequisites() {
  const problems = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== CODE_SERVER_NODE_MAJOR) {
    problems.push(`code-server ${CODE_SERVER_VERSION} needs node ${CODE_SERVER_NODE_MAJOR}; this is node ${process.versions.node}`);
  }
  const dpkg = spawnSync('dpkg', ['-s', ...DEBIAN_PACKAGES], { encoding: 'utf8' });
  if (dpkg.status !== 0) {
    const missing = DEBIAN_PACKAGES.filter((name) => spawnSync('dpkg', ['-s', name]).status !== 0);
    problems.push(`missing Debian packages: ${missing.join(' ')} (apt-get install ${missing.join(' ')})`);
  }
  return problems.length ? problems.join('; ') : undefined;
}

/**
 * Installs code-server into `<root>/code-server` unless a finished install is there already.
 * Returns the path of its node entry point.
 */
export async function ensureCodeServer(root, log) {
  const host = path.join(root, 'code-server');
  const pkg = path.join(host, 'node_modules', 'code-server');
  const entry = path.join(pkg, 'out', 'node', 'entry.js');
  const marker = path.join(host, `installed-${CODE_SERVER_VERSION}`);
  if (fs.existsSync(marker) && fs.existsSync(entry)) {
    log(`code-server ${CODE_SERVER_VERSION}: reusing ${host}`);
    return entry;
  }
  const started = Date.now();
  log(`code-server ${CODE_SERVER_VERSION}: installing into ${host} (log: ${path.join(root, 'install.log')})`);
  fs.rmSync(host, { recursive: true, force: true });
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(host, { recursive: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.writeFileSync(path.join(host, 'package.json'), '{ "name": "lifetime-e2e-code-server", "private": true }\n');

  const logFile = path.join(root, 'install.log');
  fs.writeFileSync(logFile, '');
  // @vscode/ripgrep looks for its download cache in os.tmpdir(), so TMPDIR points into the cache dir.
  const env = {
    ...process.env,
    TMPDIR: tmp,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_yes: 'true',
    npm_config_unsafe_perm: 'true',
  };

  await retry('npm install code-server', 3, () =>
    run('npm', ['install', '--ignore-scripts', '--no-save', `code-server@${CODE_SERVER_VERSION}`], { cwd: host, env, logFile }), log);
  await seedRipgrepCache(pkg, tmp, env, logFile, log);
  // The user agent tells code-server's postinstall which package manager runs it.
  const npmVersion = spawnSync('npm', ['-v'], { encoding: 'utf8' }).stdout.trim();
  const postinstallEnv = { ...env, npm_config_user_agent: `npm/${npmVersion} node/${process.version} linux x64` };
  await retry('code-server postinstall', 2, () => run('sh', ['./postinstall.sh'], { cwd: pkg, env: postinstallEnv, logFile }), log);
  await retry('npm rebuild argon2', 2, () => run('npm', ['rebuild', 'argon2'], { cwd: host, env, logFile }), log);

  if (!fs.existsSync(entry)) throw new Error(`code-server installed, but ${entry} is missing`);
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`code-server installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return entry;
}

/**
 * Puts Debian's rg into @vscode/ripgrep's download cache under the archive name its postinstall
 * looks for, so that it never calls GitHub. The name carries a tag that only the package's own
 * postinstall script knows, so the package is fetched from the registry and the tag read from it.
 */
async function seedRipgrepCache(codeServerDir, tmp, env, logFile, log) {
  const shrinkwrap = JSON.parse(fs.readFileSync(path.join(codeServerDir, 'lib', 'vscode', 'npm-shrinkwrap.json'), 'utf8'));
  const version = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version;
  if (!version) return;
  const packDir = path.join(tmp, 'ripgrep-pack');
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.mkdirSync(packDir, { recursive: true });
  await retry('npm pack @vscode/ripgrep', 3, () =>
    run('npm', ['pack', '--silent', `@vscode/ripgrep@${version}`, '--pack-destination', packDir], { cwd: packDir, env, logFile }), log);
  await run('tar', ['xzf', `vscode-ripgrep-${version}.tgz`, 'package/lib/postinstall.js'], { cwd: packDir, env, logFile });
  const script = fs.readFileSync(path.join(packDir, 'package', 'lib', 'postinstall.js'), 'utf8');
  const tag = /const VERSION = '([^']+)'/.exec(script)?.[1];
  if (!tag) throw new Error(`cannot find the ripgrep release tag in @vscode/ripgrep@${version}'s postinstall.js`);
  const cacheDir = path.join(tmp, `vscode-ripgrep-cache-${version}`);
  fs.mkdirSync(cacheDir, { recursive: true });
  await run('tar', ['czf', path.join(cacheDir, `ripgrep-${tag}-x86_64-unknown-linux-musl.tar.gz`), '-C', '/usr/bin', 'rg'], { cwd: tmp, env, logFile });
}

/** The environment of everything the workbench runs: HOME and XDG dirs inside the run directory. */
export function isolatedEnv(runDir) {
  const home = path.join(runDir, 'home');
  const dirs = {
    HOME: home,
    XDG_CONFIG_HOME: path.join(runDir, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(runDir, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(runDir, 'xdg', 'cache'),
    TMPDIR: path.join(runDir, 'tmp'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  return { ...process.env, ...dirs };
}

/** Arguments that point code-server at the run's own user-data and extensions dirs. */
function profileArgs(runDir) {
  return ['--user-data-dir', path.join(runDir, 'user-data'), '--extensions-dir', path.join(runDir, 'extensions')];
}

/** Installs a .vsix into the run's fresh extensions dir, through code-server's own CLI. */
export async function installExtension(entry, runDir, vsix, log) {
  const logFile = path.join(runDir, 'install-extension.log');
  await retry('install the extension', 2, () =>
    run(process.execPath, [entry, ...profileArgs(runDir), '--install-extension', vsix, '--force'],
      { cwd: runDir, env: isolatedEnv(runDir), logFile }), log);
  const installed = fs.readdirSync(path.join(runDir, 'extensions')).filter((name) => !name.startsWith('.') && name !== 'extensions.json');
  log(`extensions installed: ${installed.join(', ') || '(none)'}`);
  return installed;
}

/** Writes user settings that keep the welcome page and walkthroughs from stealing focus. */
export function writeUserSettings(runDir, extra = {}) {
  const dir = path.join(runDir, 'user-data', 'User');
  fs.mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'editor.hover.delay': 100,
    'files.autoSave': 'off',
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts code-server on 127.0.0.1:`port` with `folder` open, in a new session (node's `detached`
 * calls setsid), so that stop() can end it together with its extension hosts and file watchers.
 * Resolves once /healthz answers.
 */
export async function startCodeServer(entry, runDir, folder, port, log) {
  const logFile = path.join(runDir, 'code-server.log');
  const out = fs.openSync(logFile, 'w');
  const args = [entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    ...profileArgs(runDir), folder];
  const child = spawn(process.execPath, args, { cwd: runDir, env: isolatedEnv(runDir), stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  const server = { pid: child.pid, port, logFile, exited: false };
  child.on('exit', () => { server.exited = true; });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exited) throw new Error(`code-server exited during start-up\n${tail(logFile, 25)}`);
    if (await healthy(port)) {
      log(`code-server up on http://127.0.0.1:${port} (process group ${server.pid})`);
      return server;
    }
    await sleep(500);
  }
  stopCodeServer(server);
  throw new Error(`code-server did not answer on port ${port} within 60 s\n${tail(logFile, 25)}`);
}

function healthy(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => { request.destroy(); resolve(false); });
  });
}

/** Kills code-server's whole process group: TERM, then KILL for whatever is left. Never throws. */
export async function stopCodeServer(server) {
  if (!server) return;
  const signalGroup = (signal) => {
    try {
      process.kill(-server.pid, signal);
      return true;
    } catch {
      return false;
    }
  };
  if (!signalGroup('SIGTERM')) return;
  for (let i = 0; i < 20; i++) {
    await sleep(100);
    if (!groupAlive(server.pid)) return;
  }
  signalGroup('SIGKILL');
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
