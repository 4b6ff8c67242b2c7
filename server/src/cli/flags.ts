// Pieces every command's argument parser shares.

/** Splits `--flag=value` into flag and value; other arguments pass unchanged. */
export function splitFlag(arg: string): { flag: string; inline?: string } {
  const eq = arg.indexOf('=');
  if (arg.startsWith('--') && eq > 2) return { flag: arg.slice(0, eq), inline: arg.slice(eq + 1) };
  return { flag: arg };
}

/** A non-negative integer flag value of at least `min`, or undefined when it is not one. */
export function integer(text: string | undefined, min: number): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= min ? value : undefined;
}
