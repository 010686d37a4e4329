import { collectPages, type PageModule } from './page-module';

/** Every page folder under renderer/src/pages, in navigation order. */
export const pages: PageModule[] = collectPages(import.meta.glob('../pages/*/index.tsx', { eager: true }));

export function findPage(id: string): PageModule | undefined {
  return pages.find((p) => p.id === id);
}
