// Recall on real code for the APIs issue 12 found missing from the table (brelse, drm_gem_object_put,
// sock_put, usb_free_urb, usb_put_dev, and the out-parameter of of_parse_phandle_with_fixed_args):
// in real linux 6.1 functions, one release deleted by hand must give a finding, and the original
// function none. The functions come from directories the C analysis was never tuned on; they are
// extracted from Debian's linux-source-6.1 tarball at test time.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { analyzeCText, loadApiTable, loadCParser } from '../../server/src/core/c/index';
import { ensureKernelDirs, KERNEL_TARBALL } from './kernelSource';
import { kernelFunctions } from './mutation';

interface DeletedRelease {
  file: string;
  function: string;
  /** The release call deleted, as written. */
  release: string;
  /** 1-based line of that call within the function. */
  line: number;
}

const CASES: DeletedRelease[] = [
  { file: 'fs/ext2/balloc.c', function: 'read_block_bitmap', release: 'brelse', line: 25 },
  { file: 'fs/ext2/xattr.c', function: 'ext2_xattr_get', release: 'brelse', line: 77 },
  { file: 'fs/sysv/balloc.c', function: 'sysv_new_block', release: 'brelse', line: 41 },
  { file: 'fs/ufs/inode.c', function: 'ufs_inode_getblock', release: 'brelse', line: 52 },
  { file: 'fs/minix/itree_common.c', function: 'get_branch', release: 'brelse', line: 32 },
  { file: 'drivers/gpu/drm/panfrost/panfrost_drv.c', function: 'panfrost_ioctl_wait_bo', release: 'drm_gem_object_put', line: 24 },
  { file: 'drivers/gpu/drm/panfrost/panfrost_drv.c', function: 'panfrost_ioctl_mmap_bo', release: 'drm_gem_object_put', line: 30 },
  { file: 'drivers/gpu/drm/etnaviv/etnaviv_drv.c', function: 'etnaviv_ioctl_gem_cpu_prep', release: 'drm_gem_object_put', line: 17 },
  { file: 'drivers/gpu/drm/vc4/vc4_gem.c', function: 'vc4_wait_bo_ioctl', release: 'drm_gem_object_put', line: 27 },
  { file: 'drivers/gpu/drm/lima/lima_gem.c', function: 'lima_gem_submit', release: 'drm_gem_object_put', line: 34 },
  { file: 'net/bluetooth/rfcomm/sock.c', function: 'rfcomm_get_sock_by_channel', release: 'sock_put', line: 30 },
  { file: 'net/bluetooth/rfcomm/sock.c', function: 'rfcomm_sock_connect', release: 'sock_put', line: 45 },
  { file: 'drivers/usb/misc/usbtest.c', function: 'usbtest_alloc_urb', release: 'usb_free_urb', line: 40 },
  { file: 'drivers/net/usb/cdc-phonet.c', function: 'usbpn_open', release: 'usb_free_urb', line: 16 },
  { file: 'drivers/net/usb/ipheth.c', function: 'ipheth_alloc_urbs', release: 'usb_free_urb', line: 37 },
  { file: 'drivers/media/usb/usbtv/usbtv-video.c', function: 'usbtv_setup_iso_transfer', release: 'usb_free_urb', line: 19 },
  { file: 'drivers/media/usb/dvb-usb/dib0700_core.c', function: 'dib0700_rc_setup', release: 'usb_free_urb', line: 25 },
  { file: 'drivers/media/usb/em28xx/em28xx-cards.c', function: 'em28xx_usb_probe', release: 'usb_put_dev', line: 299 },
  { file: 'drivers/media/usb/hdpvr/hdpvr-core.c', function: 'hdpvr_probe', release: 'usb_put_dev', line: 138 },
  { file: 'drivers/media/usb/usbtv/usbtv-core.c', function: 'usbtv_probe', release: 'usb_put_dev', line: 56 },
  { file: 'drivers/mfd/viperboard.c', function: 'vprbrd_probe', release: 'usb_put_dev', line: 54 },
  { file: 'drivers/usb/misc/uss720.c', function: 'uss720_probe', release: 'usb_put_dev', line: 18 },
  { file: 'drivers/soc/sunxi/sunxi_sram.c', function: 'sunxi_sram_of_parse', release: 'of_node_put', line: 53 },
  { file: 'drivers/usb/dwc3/dwc3-am62.c', function: 'phy_syscon_pll_refclk', release: 'of_node_put', line: 22 },
  { file: 'drivers/tty/serial/8250/8250_aspeed_vuart.c', function: 'aspeed_vuart_probe', release: 'of_node_put', line: 113 },
  { file: 'drivers/thermal/qcom/qcom-spmi-adc-tm5.c', function: 'adc_tm5_get_dt_channel_data', release: 'of_node_put', line: 34 },
  { file: 'drivers/pinctrl/renesas/pinctrl-rzg2l.c', function: 'rzg2l_gpio_register', release: 'of_node_put', line: 27 },
  { file: 'drivers/phy/phy-core.c', function: '_of_phy_get', release: 'of_node_put', line: 40 },
  { file: 'drivers/soc/qcom/smem_state.c', function: 'qcom_smem_state_get', release: 'of_node_put', line: 43 },
];

const LEAK_KINDS = new Set(['leak', 'lock-leak', 'inconsistent-paths']);

/** The function's text with the release call on `line` blanked out, or why it cannot be. */
function deleteRelease(text: string, release: string, line: number): string | { problem: string } {
  const lines = text.split('\n');
  const target = lines[line - 1];
  const match = target === undefined ? null : new RegExp(`\\b${release}\\s*\\([^;]*\\)\\s*;`).exec(target);
  if (!match) return { problem: `line ${line} has no ${release}() call: ${JSON.stringify(target)}` };
  lines[line - 1] = target.slice(0, match.index) + ' '.repeat(match[0].length) + target.slice(match.index + match[0].length);
  return lines.join('\n');
}

test('a release deleted by hand from real code is found for the APIs issue 12 lists', async (t) => {
  const dirs = [...new Set(CASES.map((c) => path.dirname(c.file)))];
  const tree = ensureKernelDirs(dirs);
  if (!('root' in tree)) {
    if (process.env.CI) assert.fail(`the real-code test needs ${KERNEL_TARBALL}: ${tree.missing}`);
    t.skip(tree.missing);
    return;
  }
  const parser = await loadCParser();
  const { table } = loadApiTable();
  const found = new Map<string, [number, number]>();
  const failures: string[] = [];
  for (const c of CASES) {
    const text = fs.readFileSync(path.join(tree.root, c.file), 'utf8');
    const fn = kernelFunctions(parser, text).find((f) => f.name === c.function);
    const label = `${c.file} ${c.function}: ${c.release}() at function line ${c.line}`;
    if (!fn) {
      failures.push(`${label}: function not found`);
      continue;
    }
    const original = analyzeCText(fn.text, table, { parser }).findings;
    if (original.length > 0) failures.push(`${label}: the original gives ${original.map((f) => `${f.kind}: ${f.message}`).join('; ')}`);
    const mutant = deleteRelease(fn.text, c.release, c.line);
    if (typeof mutant !== 'string') {
      failures.push(`${label}: ${mutant.problem}`);
      continue;
    }
    const hit = analyzeCText(mutant, table, { parser }).findings.some((f) => LEAK_KINDS.has(f.kind));
    const [hits, total] = found.get(c.release) ?? [0, 0];
    found.set(c.release, [hits + (hit ? 1 : 0), total + 1]);
    if (!hit) failures.push(`${label}: deleting it gives no finding`);
  }
  console.log(`deleted releases found: ${[...found].map(([api, [hits, total]]) => `${api} ${hits}/${total}`).join(', ')}`);
  assert.deepEqual(failures, []);
});
