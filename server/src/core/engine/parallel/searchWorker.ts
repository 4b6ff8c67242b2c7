// A search thread of the parallel search: compiles the transition system it is given, then runs
// the coordinator's commands (expand a layer, enter states into a grown table) on the shared
// buffers. Each command ends with one reply and a bump of `Control.done`, which wakes the
// coordinator (it waits with `Atomics.wait`, not on its event loop).

import { workerData, parentPort } from 'node:worker_threads';
import { compileSystem } from '../compile';
import { LayerExpander, rehashShare } from './layerExpander';
import { isSearchCommand, type SearchReply, type SearchThreadData } from './protocol';
import { Control, SharedStates, Stop } from './sharedStates';

const data = workerData as SearchThreadData;
const control = new Int32Array(data.buffers.control);

function finish(reply: SearchReply): void {
  data.replies.postMessage(reply);
  Atomics.add(control, Control.done, 1);
  Atomics.notify(control, Control.done);
}

function failed(error: unknown): SearchReply {
  Atomics.store(control, Control.stop, Stop.failed);
  return { type: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/** The compiled system and the thread's view of the shared states; undefined when compiling failed. */
function start(): { states: SharedStates; expander: LayerExpander } | undefined {
  try {
    const compiled = compileSystem(data.system);
    const states = new SharedStates(compiled.words, compiled.hash, data.maxStates, data.buffers);
    return { states, expander: new LayerExpander(compiled, states) };
  } catch (error) {
    data.replies.postMessage(failed(error));
    return undefined;
  }
}

const thread = start();

parentPort?.on('message', (message: unknown) => {
  if (!isSearchCommand(message)) return;
  if (!thread) {
    finish(failed(new Error('the search thread could not compile the system')));
    return;
  }
  try {
    thread.states.adopt(message.buffers);
    if (message.type === 'expand') {
      finish({ type: 'expanded', report: thread.expander.expandLayer(message.layerEnd, message.depth, message.run) });
    } else {
      rehashShare(thread.states, new Int32Array(message.target), message.count, message.run);
      finish({ type: 'rehashed' });
    }
  } catch (error) {
    finish(failed(error));
  }
});

Atomics.add(control, Control.ready, 1);
Atomics.notify(control, Control.ready);
