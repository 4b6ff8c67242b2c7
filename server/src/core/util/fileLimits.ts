// Size limits on the files the product reads on a user's behalf, shared by the CLI and the
// language server so that a file is accepted or refused the same way in CI and in the editor.

/** The largest input file (a model, a C file, a kernel API table) that is read: 8 MiB. */
export const MAX_INPUT_FILE_BYTES = 8 * 1024 * 1024;
