/// <reference lib="webworker" />
/** Sorts splats back to front for each view the page asks about; the order buffer travels back and forth. */
import type { SortRequest, SortResponse } from './protocol';
import { SplatSorter } from './splat-sort';

declare const self: DedicatedWorkerGlobalScope;

let sorter: SplatSorter | null = null;

self.onmessage = (e: MessageEvent<SortRequest>) => {
  const msg = e.data;
  if (msg.type === 'init') {
    sorter = new SplatSorter(msg.centers, msg.count);
    return;
  }
  if (!sorter) return;
  const order = msg.buffer.length === sorter.count ? msg.buffer : new Float32Array(sorter.count);
  sorter.sort(msg.viewRow, order);
  const out: SortResponse = { type: 'sorted', seq: msg.seq, order, viewRow: msg.viewRow };
  self.postMessage(out, [order.buffer]);
};
