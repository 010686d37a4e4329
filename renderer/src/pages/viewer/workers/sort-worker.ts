/// <reference lib="webworker" />
/** Sorts splats back to front for each view the page asks about; the order buffer travels back and forth. */
import type { SortRequest, SortResponse } from './protocol';
import { SplatSorter, subsetCenters } from './splat-sort';

declare const self: DedicatedWorkerGlobalScope;

let sorter: SplatSorter | null = null;
let stride = 1;

self.onmessage = (e: MessageEvent<SortRequest>) => {
  const msg = e.data;
  if (msg.type === 'init') {
    stride = Math.max(1, msg.stride);
    sorter = new SplatSorter(stride > 1 ? subsetCenters(msg.centers, msg.count, stride) : msg.centers, Math.ceil(msg.count / stride));
    return;
  }
  if (!sorter) return;
  const order = msg.buffer.length === sorter.count ? msg.buffer : new Float32Array(sorter.count);
  sorter.sort(msg.viewRow, order);
  if (stride > 1) for (let j = 0; j < order.length; j++) order[j] = order[j]! * stride; // subset rank → splat id
  const out: SortResponse = { type: 'sorted', seq: msg.seq, order, viewRow: msg.viewRow };
  self.postMessage(out, [order.buffer]);
};
