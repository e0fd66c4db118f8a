// The engine worker's entry: it only loads the engine (engineWorker.ts). The build shares code between the engine
// and its lazily loaded parts (onnxruntime-web) through chunks, and a chunk that imports from the worker's own
// entry makes WebKit evaluate that entry a second time: a second engine, without the weights, answering every
// message. So the entry holds nothing to share. Messages that come while the engine loads are kept and handed to
// it in order.
const early: MessageEvent[] = [];
const keep = (e: MessageEvent) => early.push(e);
self.addEventListener('message', keep);
import('./engineWorker.ts').then(
  ({ listen }) => {
    self.removeEventListener('message', keep);
    listen(early);
  },
  (e: Error) => self.postMessage({ type: 'error', scope: 'gpu', message: `The engine could not be loaded (${e.message}). Reload the page to try again.` }),
);
