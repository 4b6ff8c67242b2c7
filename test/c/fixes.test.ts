// Quick fixes for leaks: the missing release before the return, before the goto, or a jump to the
// unwind label that already releases.

import test from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCSource, loadApiTable, loadCParser, type CFinding } from '../../server/src/core/c/index';

function apply(text: string, finding: CFinding): string {
  assert.ok(finding.fix, `no fix for: ${finding.message}`);
  return text.slice(0, finding.fix.start) + finding.fix.newText + text.slice(finding.fix.end);
}

async function only(text: string): Promise<CFinding> {
  const findings = analyzeCSource(text, loadApiTable().table, { parser: await loadCParser() });
  assert.equal(findings.length, 1, findings.map((f) => f.message).join('\n'));
  return findings[0];
}

test('the release goes before a braced return, with its indentation', async () => {
  const text = `int f(struct dev *d)
{
	mutex_lock(&d->lock);
	if (d->dead) {
		pr_err("dead");
		return -ENODEV;
	}
	mutex_unlock(&d->lock);
	return 0;
}
`;
  const fixed = apply(text, await only(text));
  assert.ok(fixed.includes('\t\tpr_err("dead");\n\t\tmutex_unlock(&d->lock);\n\t\treturn -ENODEV;\n'), fixed);
  assert.deepEqual(analyzeCSource(fixed, loadApiTable().table), []);
});

test('an unbraced return gets braces', async () => {
  const text = `int f(struct dev *d)
{
	unsigned long flags;

	spin_lock_irqsave(&d->slock, flags);
	if (d->dead)
		return -ENODEV;
	spin_unlock_irqrestore(&d->slock, flags);
	return 0;
}
`;
  const fixed = apply(text, await only(text));
  assert.ok(fixed.includes('\tif (d->dead) {\n\t\tspin_unlock_irqrestore(&d->slock, flags);\n\t\treturn -ENODEV;\n\t}\n'), fixed);
  assert.deepEqual(analyzeCSource(fixed, loadApiTable().table), []);
});

test('a goto to the wrong label is retargeted to the label that releases', async () => {
  const text = `int f(struct dev *d)
{
	char *buf;
	int ret;

	buf = kzalloc(64, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = configure(d, buf);
	if (ret)
		goto out;
	d->buf = buf;
	return 0;
err_free:
	kfree(buf);
out:
	return ret;
}
`;
  const finding = await only(text);
  assert.equal(finding.fix?.title, 'Jump to err_free, which releases buf');
  const fixed = apply(text, finding);
  assert.ok(fixed.includes('\t\tgoto err_free;\n'), fixed);
  assert.deepEqual(analyzeCSource(fixed, loadApiTable().table), []);
});

test('without an unwind label the release goes before the goto', async () => {
  const text = `int f(struct dev *d)
{
	struct device_node *np = of_find_node_by_path("/soc");
	int ret = 0;

	if (!np)
		return -ENODEV;
	if (check(np)) {
		ret = -EINVAL;
		goto out;
	}
	of_node_put(np);
out:
	return ret;
}
`;
  const fixed = apply(text, await only(text));
  assert.ok(fixed.includes('\t\tret = -EINVAL;\n\t\tof_node_put(np);\n\t\tgoto out;\n'), fixed);
  assert.deepEqual(analyzeCSource(fixed, loadApiTable().table), []);
});

test('an iterator left by return gets a put of the loop variable', async () => {
  const text = `int f(struct device_node *parent)
{
	struct device_node *child;

	for_each_child_of_node(parent, child) {
		if (broken(child))
			return -EINVAL;
	}
	return 0;
}
`;
  const fixed = apply(text, await only(text));
  assert.ok(fixed.includes('\t\tif (broken(child)) {\n\t\t\tof_node_put(child);\n\t\t\treturn -EINVAL;\n\t\t}\n'), fixed);
  assert.deepEqual(analyzeCSource(fixed, loadApiTable().table), []);
});

test('a pasted fragment without a function is analysed', async () => {
  const text = `	np = of_find_node_by_name(NULL, "x");
	if (!np)
		return -ENODEV;
	if (bad(np))
		return -EINVAL;
	of_node_put(np);
	return 0;
`;
  const finding = await only(text);
  assert.equal(finding.kind, 'leak');
  assert.equal(text.slice(finding.start, finding.end), 'return -EINVAL;');
});

test('a long file not in kernel brace style is analysed whole', async () => {
  const filler = Array.from({ length: 80 }, (_, i) => `int helper_function_number_${i}(int value) {\n\treturn value + ${i} * 2;\n}\n\n`).join('');
  const text = `${filler}int leaky(struct dev *d) {\n\tmutex_lock(&d->lock);\n\tif (d->dead)\n\t\treturn -ENODEV;\n\tmutex_unlock(&d->lock);\n\treturn 0;\n}\n`;
  assert.ok(text.length > 4096);
  const finding = await only(text);
  assert.equal(finding.kind, 'lock-leak');
});
