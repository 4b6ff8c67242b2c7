// When the editor should offer to turn C checks on: a C file opened in a folder that looks like a
// Linux kernel tree (Kconfig and MAINTAINERS at its root), while C checks are off and the user has
// not answered the offer for that folder. What the status bar says about C checks.

/** A kernel tree has Kconfig and MAINTAINERS at its root (and usually Makefile, Kbuild, arch/, drivers/). */
export function looksLikeKernelTree(rootEntries: readonly string[]): boolean {
  return rootEntries.includes('Kconfig') && rootEntries.includes('MAINTAINERS');
}

export interface COfferContext {
  languageId: string;
  cChecksOn: boolean;
  /** The names at the root of the document's workspace folder. */
  rootEntries: readonly string[];
  /** The user already answered the offer for this folder. */
  answered: boolean;
}

export function shouldOfferCChecks(context: COfferContext): boolean {
  return context.languageId === 'c' && !context.cChecksOn && !context.answered && looksLikeKernelTree(context.rootEntries);
}

/** The status bar's words for a C file, or undefined when it has nothing to say (C checks are on). */
export function cStatusText(cChecksOn: boolean): { text: string; tooltip: string } | undefined {
  if (cChecksOn) return undefined;
  return { text: 'Lifetime: C checks off', tooltip: 'Lifetime does not check C files in this workspace (lifetime.c.enable). Click to turn C checks on.' };
}
