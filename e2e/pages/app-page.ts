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
