// Where the functions of a C file are, without a parser: names behind attributes and pointer
// returns, bodies whose braces hide in comments, strings, preprocessor lines and branches, and
// top-level brace blocks that are not functions (initializers, structs).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cFunctionSpans } from '../../server/src/core/review/cFunctions';

const SOURCE = `// SPDX-License-Identifier: GPL-2.0
#include <linux/of.h>
#define OPEN_BRACE {

static const struct of_device_id ids[] = {
	{ .compatible = "x,y" },
	{ }
};

struct widget {
	int count;
};

/**
 * widget_get() - a doc comment { with a brace
 */
static struct widget *__must_check widget_get(struct device_node *np)
{
	const char *s = "}";
	char c = '}';
	/* } */
	return NULL;
}

static int __init __attribute__((weak)) widget_init(void)
{
#ifdef CONFIG_WIDGET_OLD
	if (old) {
#else
	if (!old) {
#endif
		pr_info("}");
	}
#if 0
	}
#else
	return 0;
#endif
}

int widget_lock(struct widget *w) __acquires(&w->lock)
{
	return 0;
}

SYSCALL_DEFINE1(widget, int, x)
{
	return x;
}
`;

test('each function with its name and its span from its header to its closing brace', () => {
  const spans = cFunctionSpans(SOURCE);
  assert.deepEqual(
    spans.map((s) => s.name),
    ['widget_get', 'widget_init', 'widget_lock', 'SYSCALL_DEFINE1'],
  );
  const get = spans[0];
  assert.ok(SOURCE.slice(get.start).startsWith('static struct widget *__must_check widget_get('), 'the span starts at the header, not at the doc comment');
  assert.ok(SOURCE.slice(0, get.end).endsWith('return NULL;\n}'), 'the braces in the string, the character and the comment do not end the body');
  assert.ok(SOURCE.slice(0, spans[1].end).endsWith('return 0;\n#endif\n}'), 'a brace written once per preprocessor branch counts once, and #if 0 code is skipped');
});
