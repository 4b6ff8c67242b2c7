// The node flags the language server is meant to run with. The VS Code client starts the server
// with them (client/src/extension.ts; a test keeps the two the same), and `npm run bench:parse`
// measures the checker under them as well as under node's defaults.
//
// A 20,000-line model's tree and checker data live until the next edit, and node's default young
// generation (16 MB semi-spaces) fills during nearly every check, so every check paid for copying
// its whole tree. With 64 MB semi-spaces, most checks of large files end before a scavenge, and
// those trees die young without being copied. The cost is up to about 100 MB more memory while
// large files are being edited.
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=64'];
