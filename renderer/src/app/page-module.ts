import type { ComponentType, ReactNode } from 'react';

/**
 * What every page folder `renderer/src/pages/<id>/index.tsx` default-exports. The shell discovers pages
 * with import.meta.glob, so adding a page never touches the shell.
 */
export interface PageModule {
  /** Same as the folder name and the i18n namespace of the page. */
  id: string;
  /** Position in the navigation: projects 10, media 20, models 30, viewer 40, cloud 50, contribute 60, wallet 70, settings 80. */
  order: number;
  /** i18n key of the navigation label, e.g. 'media:title'. */
  titleKey: string;
  /** Shown in the navigation; use `<Icon name="…" />` from 'renderer/src/ui/icon'. */
  icon: ReactNode;
  Component: ComponentType;
}

/** Keeps only well-formed page modules, sorted by order (a broken page must not take the shell down). */
export function collectPages(modules: Record<string, unknown>): PageModule[] {
  const pages: PageModule[] = [];
  for (const [file, mod] of Object.entries(modules)) {
    const page = (mod as { default?: Partial<PageModule> }).default;
    if (page && typeof page.id === 'string' && typeof page.order === 'number' && typeof page.titleKey === 'string' && page.Component) {
      pages.push(page as PageModule);
    } else {
      console.warn(`Ignoring ${file}: its default export is not a PageModule`);
    }
  }
  return pages.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
}
