import { describe, expect, it, vi } from 'vitest';
import type { InferenceResultItem } from '../../../../main/common/contract';

const item = (id: number): InferenceResultItem => ({
  id,
  runId: 1,
  imageId: id,
  file: `frames/1/${id}.jpg`,
  width: 2,
  height: 2,
  output: { task: 'ocr-rec', text: 'x', score: 1 },
  error: null,
  ms: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
});
const stored = Array.from({ length: 120 }, (_, i) => item(i + 1));

// The store talks to the studio through ../../api; here results come from memory, a little later each time.
vi.mock('../../api', () => ({
  api: {
    inference: {
      results: vi.fn(async (req: { offset: number; limit: number }) => {
        await new Promise((r) => setTimeout(r, 5));
        return { total: stored.length, items: stored.slice(req.offset, req.offset + req.limit) };
      }),
    },
  },
}));

const { useModels } = await import('./models-store');

describe('useModels.loadMoreResults', () => {
  it('fetches each page once, even when "show more" is pressed twice before the page arrives', async () => {
    useModels.setState({ selectedRunId: 1, results: stored.slice(0, 48), resultsTotal: 120 });
    await Promise.all([useModels.getState().loadMoreResults(), useModels.getState().loadMoreResults()]);
    expect(useModels.getState().results.map((r) => r.id)).toEqual(stored.slice(0, 96).map((r) => r.id));
    expect(useModels.getState().loadingMore).toBe(false);
    await useModels.getState().loadMoreResults();
    expect(useModels.getState().results.map((r) => r.id)).toEqual(stored.map((r) => r.id));
  });
});
