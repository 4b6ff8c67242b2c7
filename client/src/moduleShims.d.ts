// vscode-languageclient publishes its entry points only through package.json `exports`, which this
// project's TypeScript resolution (node10) does not read; esbuild does. This maps the type lookup.
declare module 'vscode-languageclient/node' {
  export * from 'vscode-languageclient/lib/node/main';
}
declare module 'vscode-languageserver-protocol' {
  export * from 'vscode-languageserver-protocol/lib/common/api';
}
declare module 'vscode-jsonrpc' {
  export * from 'vscode-jsonrpc/lib/common/api';
}
declare module 'vscode-languageserver-protocol/node' {
  export * from 'vscode-languageserver-protocol/lib/node/main';
}
declare module 'vscode-jsonrpc/node' {
  export * from 'vscode-jsonrpc/lib/node/main';
}
