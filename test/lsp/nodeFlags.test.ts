// The VS Code client must start the server with the flags the server is tuned and benchmarked for.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { SERVER_NODE_FLAGS } from '../../server/src/lsp/nodeFlags';

const REPO = path.resolve(__dirname, '../../..');

test('the client starts the language server with SERVER_NODE_FLAGS', () => {
  const extension = fs.readFileSync(path.join(REPO, 'client/src/extension.ts'), 'utf8');
  const declared = /const SERVER_NODE_FLAGS = (\[[^\]]*\]);/.exec(extension);
  assert.ok(declared, 'client/src/extension.ts declares SERVER_NODE_FLAGS');
  assert.deepEqual(JSON.parse(declared[1].replace(/'/g, '"')), SERVER_NODE_FLAGS);
  assert.match(extension, /run: \{ module: serverModule, transport: TransportKind\.ipc, options: \{ execArgv: SERVER_NODE_FLAGS \} \}/);
});
