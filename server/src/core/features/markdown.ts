// Model text placed in Markdown (hovers): a proposal's title, an `assert` or `order` message, the
// engine's messages that quote them. Such text comes from the file, so it is written so that it
// renders as the text it is: no link, autolink, image, emphasis or HTML it contains becomes live.
// Code spans in it (the engine quotes statements in backticks) are kept: they render literally.

/** One code span, with a closing run of exactly as many backticks as the opening one. */
const CODE_SPAN = /(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g;

function escapeProse(text: string): string {
  return text
    .replace(/[\\`*[\]~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/:\/\//g, '\\://')
    .replace(/www\./gi, (w) => `${w.slice(0, 3)}\\.`);
}

/** Escapes text for Markdown prose, keeping its well-formed code spans as they are. */
export function escapeMarkdown(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(CODE_SPAN)) {
    out += escapeProse(text.slice(last, match.index)) + match[0];
    last = match.index! + match[0].length;
  }
  return out + escapeProse(text.slice(last));
}

/** A code span that survives backticks in the text (code spans show their content literally). */
export function codeSpan(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 || flat.startsWith(' ') || flat.endsWith(' ') ? `${fence} ${flat} ${fence}` : `${fence}${flat}${fence}`;
}
