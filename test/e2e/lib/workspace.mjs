// The other files of the end-to-end workspace, besides the model of model.mjs, and what the editor
// must show for each. The workspace looks like a kernel tree (Kconfig and MAINTAINERS at its root),
// so that opening its C file offers C checks.
import fs from 'node:fs';
import path from 'node:path';

const VFIO_MODEL = 'examples/vfio-dma-unmap-vaddr-deadlock.lifetime';

/** A model whose full search takes seconds (9.7 million states): long enough to stop it. */
function slowModel() {
  const lines = ['model slow "five workers over five counters"', 'static s { int a = 0 in 0..30; int b = 0 in 0..30; int c = 0 in 0..30; int d = 0 in 0..30; int e = 0 in 0..30 }'];
  const names = ['a', 'b', 'c', 'd', 'e'];
  names.forEach((name, i) => {
    const next = names[(i + 1) % names.length];
    lines.push(`thread w${i + 1} { repeat 6 { inc s.${name}; inc s.${next} } ; repeat 6 { dec s.${name}; dec s.${next} } }`);
  });
  return `${lines.join('\n')}\n`;
}

/** A model to write in: completion, snippets and the formatter are tried on it. */
const SCRATCH = `model scratch "a model being written"

object o { ref r = 1 on zero free o }

thread t {
  use o
  put o.r }
`;

/** A driver probe with an error path that leaks the node reference. */
const LEAKY_C = `#include <linux/of.h>

static int foo_probe(struct device *dev)
{
\tstruct device_node *np;

\tnp = of_find_compatible_node(NULL, NULL, "foo,bar");
\tif (!np)
\t\treturn -ENODEV;
\tif (foo_setup(dev))
\t\treturn -EINVAL;
\tof_node_put(np);
\treturn 0;
}
`;

function lineOf(text, pattern) {
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  if (index < 0) throw new Error(`no line matches ${pattern}`);
  return index + 1;
}

/** Writes the files into `workspace` and returns what the checks need to know about them. */
export function writeWorkspace(repoRoot, workspace) {
  const vfioText = fs.readFileSync(path.join(repoRoot, VFIO_MODEL), 'utf8');
  const files = {
    'Kconfig': '# The workspace looks like a Linux kernel tree to the extension.\n',
    'MAINTAINERS': 'List of maintainers\n',
    'drivers/foo/foo.c': LEAKY_C,
    [path.basename(VFIO_MODEL)]: vfioText,
    'slow.lifetime': slowModel(),
    'scratch.lifetime': SCRATCH,
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(workspace, name), text);
  }
  return {
    vfio: {
      fileName: path.basename(VFIO_MODEL),
      text: vfioText,
      modelLine: lineOf(vfioText, /^model /),
      expectLine: lineOf(vfioText, /^expect sticky_close:/),
      blocked: ['mdev_worker', 'release'],
    },
    slow: { fileName: 'slow.lifetime' },
    scratch: { fileName: 'scratch.lifetime', text: SCRATCH },
    c: { fileName: 'foo.c', relative: 'drivers/foo/foo.c', leakLine: lineOf(LEAKY_C, /return -EINVAL/) },
  };
}
