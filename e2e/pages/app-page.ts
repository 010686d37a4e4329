import { expect, type Locator, type Page } from '@playwright/test';

/** The shell: navigation, toasts, shortcut sheet. */
export class AppPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('nav-projects')).toBeVisible();
  }

  nav(pageId: string): Locator {
    return this.page.getByTestId(`nav-${pageId}`);
  }

  async goTo(pageId: string): Promise<void> {
    await this.nav(pageId).click();
    await expect(this.page.getByTestId(`page-${pageId}`)).toBeVisible();
  }

  errorToasts(): Locator {
    return this.page.getByTestId('toast-error');
  }

  /** Closes every toast; the stack shrinks as it goes (and good news may leave by itself meanwhile). */
  async dismissToasts(): Promise<void> {
    const toasts = this.page.locator('.toast');
    while ((await toasts.count()) > 0) await toasts.first().getByRole('button').click({ timeout: 2_000 }).catch(() => undefined);
  }
}

/** Records whether an element ever appeared, however briefly (fast work may finish between two polls of an ordinary assertion). */
export async function watchFor(page: Page, testId: string): Promise<() => Promise<boolean>> {
  await page.evaluate((id) => {
    const w = window as unknown as { __seen?: Record<string, boolean> };
    w.__seen ??= {};
    w.__seen[id] = !!document.querySelector(`[data-testid="${id}"]`);
    new MutationObserver((_, obs) => {
      if (document.querySelector(`[data-testid="${id}"]`)) {
        w.__seen![id] = true;
        obs.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true });
  }, testId);
  return () => page.evaluate((id) => !!(window as unknown as { __seen?: Record<string, boolean> }).__seen?.[id], testId);
}
