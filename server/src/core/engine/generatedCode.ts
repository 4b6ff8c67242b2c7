// Functions generated from a model's code, kept by their source text. Checking the same model again
// (every keystroke in the editor, every run of a benchmark, each proposal that shares a thread with
// the baseline) then reuses the function V8 has already parsed, compiled and optimised, instead of
// paying for all three again. Generated code reads nothing but its parameters, so two functions with
// the same source and parameters are interchangeable. The cache is bounded by its total source size.

const MAX_SOURCE_CHARS = 16 * 1024 * 1024;

const functions = new Map<string, unknown>();
let sourceChars = 0;

/** The value `make` builds for this source text: made once, then reused while the cache keeps it. */
export function generated<T>(source: string, make: () => T): T {
  const known = functions.get(source);
  if (known !== undefined) return known as T;
  const made = make();
  if (source.length > MAX_SOURCE_CHARS / 4) return made;
  if (sourceChars + source.length > MAX_SOURCE_CHARS) {
    functions.clear();
    sourceChars = 0;
  }
  functions.set(source, made);
  sourceChars += source.length;
  return made;
}

/** `new Function(...parameters, body)`, reused for the same parameters and body. */
export function generatedFunction<T>(parameters: string[], body: string): T {
  return generated(`${parameters.join(',')}\n${body}`, () => new Function(...parameters, body) as T);
}
