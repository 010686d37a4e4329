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

  async dismissToasts(): Promise<void> {
    for (const toast of await this.page.locator('.toast').all()) await toast.getByRole('button').click();
  }
}
