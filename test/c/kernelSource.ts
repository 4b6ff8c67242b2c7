// Extracts parts of Debian's linux-source-6.1 tarball into a cache under the temporary directory,
// once, for the real-code tests and the C benchmark. Kernel source is never committed.

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const KERNEL_TARBALL = '/usr/src/linux-source-6.1.tar.xz';
const TOP = 'linux-source-6.1';

export function kernelCacheDir(): string {
  return path.join(os.tmpdir(), 'lifetime-review-linux-6.1');
}

export type KernelTree = { root: string } | { missing: string };

/** Makes sure `dirs` (e.g. `drivers/iommu`) are extracted; returns the source root or why not. */
export function ensureKernelDirs(dirs: string[]): KernelTree {
  if (!fs.existsSync(KERNEL_TARBALL)) return { missing: `${KERNEL_TARBALL} is not installed (apt-get install linux-source-6.1)` };
  const cache = kernelCacheDir();
  const root = path.join(cache, TOP);
  const marker = (dir: string) => path.join(cache, `.extracted-${dir.replace(/[\\/]/g, '_')}`);
  const needed = dirs.filter((dir) => !fs.existsSync(marker(dir)));
  if (needed.length > 0) {
    fs.mkdirSync(cache, { recursive: true });
    const patterns = needed.map((dir) => `${TOP}/${dir}/*`);
    const result = spawnSync('tar', ['-xJf', KERNEL_TARBALL, '-C', cache, '--wildcards', ...patterns], { encoding: 'utf8' });
    if (result.status !== 0) return { missing: `tar failed: ${result.stderr || result.error?.message || 'unknown error'}` };
    for (const dir of needed) fs.writeFileSync(marker(dir), new Date().toISOString());
  }
  return { root };
}

/** Every `.c` file under a directory, sorted, as paths relative to `root`. */
export function listCFiles(root: string, dir: string): string[] {
  return listFiles(root, dir, '.c');
}

/** The files under `dir` whose names end in `suffix`, relative to `root`, sorted. */
export function listFiles(root: string, dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (relative: string): void => {
    const full = path.join(root, relative);
    if (!fs.existsSync(full)) return;
    for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(suffix)) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}
