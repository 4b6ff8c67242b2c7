// Model text in Markdown hovers renders as text: a proposal's title or an assert's message that holds
// a link or HTML must not become a live link or an element.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hoverAt } from '../../server/src/core/features/hover';
import { codeSpan, escapeMarkdown } from '../../server/src/core/features/markdown';
import { checked, cursor } from './helpers';

const EVIL = '[y](https://evil.example) <script>alert(1)</script> *b* `c`';

/** Fails if Markdown text could render a link, an image, an autolink or an HTML element (code spans render literally). */
function assertInert(withCode: string): void {
  const markdown = withCode.replace(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '');
  assert.doesNotMatch(markdown, /(?<!\\)\]\(/, `a live link in ${markdown}`);
  assert.doesNotMatch(markdown, /<script|<\/script/i, `HTML in ${markdown}`);
  assert.doesNotMatch(markdown, /https:\/\//, `an autolink in ${markdown}`);
}

test('escapeMarkdown keeps the text readable and inert', () => {
  const escaped = escapeMarkdown(EVIL);
  assertInert(escaped);
  assert.equal(escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\\(.)/g, '$1'), EVIL);
  assert.match(escaped, /`c`$/);
  assert.equal(codeSpan('a `b` c'), '`` a `b` c ``');
});

test('a proposal title with a link and a script tag is shown as text in its hover', () => {
  const { text, offset } = cursor(`model m
object o { ref r = 1 on zero free o }
thread t { put o.r }
proposal p|x "${EVIL.replace(/"/g, "'")}" {
  thread t { get o.r; put o.r; put o.r }
}
`);
  const hover = hoverAt(checked(text), offset);
  assert.ok(hover, 'no hover on the proposal');
  assert.match(hover.contents.value, /\\\[y\\\]\(https\\:\/\/evil\.example\) &lt;script&gt;/);
  assertInert(hover.contents.value);
});

test('an assert message with a link is shown as text where the violation is explained', () => {
  const { text, offset } = cursor(`model m
static s { flag f }
thread t { set s.f; as|sert !s.f "${EVIL.replace(/"/g, "'")}" }
`);
  const hover = hoverAt(checked(text), offset);
  assert.ok(hover, 'no hover on the assert');
  assert.match(hover.contents.value, /Why it is a violation/);
  assertInert(hover.contents.value);
});
