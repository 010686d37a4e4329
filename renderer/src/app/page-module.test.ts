import { describe, expect, it, vi } from 'vitest';
import { collectPages } from './page-module';

const C = () => null;

describe('collectPages', () => {
  it('sorts pages by order and drops malformed modules', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const pages = collectPages({
      '../pages/settings/index.tsx': { default: { id: 'settings', order: 80, titleKey: 'settings:title', icon: null, Component: C } },
      '../pages/projects/index.tsx': { default: { id: 'projects', order: 10, titleKey: 'projects:title', icon: null, Component: C } },
      '../pages/broken/index.tsx': { default: { id: 'broken' } },
      '../pages/empty/index.tsx': {},
    });
    expect(pages.map((p) => p.id)).toEqual(['projects', 'settings']);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });
});

describe('the page folders', () => {
  it('each default-export a PageModule whose id is its folder name, with a unique order', () => {
    // Read the sources rather than import them: page modules pull in the API, which needs a browser.
    const sources = import.meta.glob<string>('../pages/*/index.tsx', { eager: true, query: '?raw', import: 'default' });
    const orders = new Map<number, string>();
    for (const [file, src] of Object.entries(sources)) {
      const id = /pages\/([^/]+)\/index\.tsx$/.exec(file)![1]!;
      expect(src, `${id}/index.tsx`).toMatch(/export default/);
      expect(src, `${id}/index.tsx id`).toContain(`id: '${id}'`);
      const order = Number(/order:\s*(\d+)/.exec(src)?.[1]);
      expect(Number.isFinite(order), `${id} order`).toBe(true);
      expect(orders.get(order), `order ${order} used twice`).toBeUndefined();
      orders.set(order, id);
    }
    expect([...orders.values()]).toEqual(expect.arrayContaining(['projects', 'media', 'settings']));
  });
});
