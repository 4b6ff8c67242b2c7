// Small helpers for messages in English.

/** `a use-after-free`, `an assertion`, `an ordering`: the indefinite article a word takes when spoken. */
export function withArticle(word: string): string {
  // `use` and `uni...` sound like "you": `a use-after-free`.
  const vowelSound = /^[aeiou]/i.test(word) && !/^u(se|ni)/i.test(word);
  return `${vowelSound ? 'an' : 'a'} ${word}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
