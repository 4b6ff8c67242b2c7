// Measures recall for the APIs issue 12 found missing from the table, on directories the C analysis
// was not tuned on: in every linux 6.1 function that acquires through the table and calls one of
// these releases, each release call is deleted in turn (every one, not only those on error paths),
// and the mutant counts as found when it gives a leak, lock-leak or inconsistent-paths finding.
// Functions that already have a finding are left out. Prints the figures per API, and with
// `missed` each mutant that gave nothing.
//
//   node out/test/c/apiRecallReport.js [missed]

import * as fs from 'fs';
import * as path from 'path';
import { analyzeCText, loadApiTable, loadCParser, type ApiTable } from '../../server/src/core/c/index';
import { ensureKernelDirs, listCFiles } from './kernelSource';
import { kernelFunctions } from './mutation';

export const MEASURING_DIRS = [
  'fs/ext2', 'fs/minix', 'fs/sysv', 'fs/ufs', 'fs/affs', 'drivers/gpu/drm/lima', 'drivers/gpu/drm/panfrost', 'drivers/gpu/drm/etnaviv',
  'drivers/gpu/drm/vc4', 'net/bluetooth', 'net/llc', 'net/unix', 'net/packet', 'drivers/usb/misc', 'drivers/net/usb', 'drivers/media/usb',
  'drivers/mfd', 'drivers/soc', 'drivers/phy', 'drivers/pinctrl', 'drivers/thermal', 'drivers/usb/dwc3', 'drivers/usb/chipidea',
  'drivers/tty/serial/8250',
];

/** Each release, and how a call of it to delete is written: of_node_put only on an out-parameter's `.np`. */
const RELEASES: Record<string, RegExp> = {
  brelse: /\bbrelse\s*\([^;]*\)\s*;/g,
  drm_gem_object_put: /\bdrm_gem_object_put\s*\([^;]*\)\s*;/g,
  sock_put: /\bsock_put\s*\([^;]*\)\s*;/g,
  usb_free_urb: /\busb_free_urb\s*\([^;]*\)\s*;/g,
  usb_put_dev: /\busb_put_dev\s*\([^;]*\)\s*;/g,
  'of_node_put(x.np)': /\bof_node_put\s*\(\s*[A-Za-z_]\w*\.np\s*\)\s*;/g,
};

function acquirersOf(table: ApiTable, release: string): RegExp {
  const name = release.replace(/\(.*$/, '');
  const family = table.byName.get(name)?.families[0];
  const names = [...table.byName.values()].filter((e) => (e.effect === 'acquire' || e.effect === 'iterator') && family !== undefined && e.families.includes(family)).map((e) => e.name);
  if (release.startsWith('of_node_put')) return /\bof_parse_phandle_with_\w*args\s*\(/;
  return new RegExp(`\\b(${names.join('|')})\\s*\\(`);
}

async function main(): Promise<void> {
  const showMissed = process.argv[2] === 'missed';
  const tree = ensureKernelDirs(MEASURING_DIRS);
  if (!('root' in tree)) throw new Error(tree.missing);
  const parser = await loadCParser();
  const { table } = loadApiTable();
  const acquirers = Object.fromEntries(Object.keys(RELEASES).map((r) => [r, acquirersOf(table, r)]));
  const counts = new Map<string, { found: number; total: number }>();
  const missed: string[] = [];
  for (const dir of MEASURING_DIRS) {
    for (const file of listCFiles(tree.root, dir)) {
      const text = fs.readFileSync(path.join(tree.root, file), 'utf8');
      for (const fn of kernelFunctions(parser, text)) {
        const relevant = Object.keys(RELEASES).filter((r) => RELEASES[r].test(fn.text) && (RELEASES[r].lastIndex = 0, acquirers[r].test(fn.text)));
        for (const r of Object.keys(RELEASES)) RELEASES[r].lastIndex = 0;
        if (relevant.length === 0 || analyzeCText(fn.text, table, { parser }).findings.length > 0) continue;
        for (const release of relevant) {
          for (const call of fn.text.matchAll(RELEASES[release])) {
            const start = call.index ?? 0;
            const mutant = fn.text.slice(0, start) + ' '.repeat(call[0].length) + fn.text.slice(start + call[0].length);
            const hit = analyzeCText(mutant, table, { parser }).findings.some((f) => f.kind === 'leak' || f.kind === 'lock-leak' || f.kind === 'inconsistent-paths');
            const count = counts.get(release) ?? { found: 0, total: 0 };
            counts.set(release, { found: count.found + (hit ? 1 : 0), total: count.total + 1 });
            if (!hit) missed.push(`${file}: ${fn.name}: deleted ${call[0]} at function line ${fn.text.slice(0, start).split('\n').length}`);
          }
        }
      }
    }
  }
  for (const [release, { found, total }] of counts) console.log(`${release}: ${found}/${total} deleted releases found (${((100 * found) / total).toFixed(0)}%)`);
  if (showMissed) console.log(missed.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
