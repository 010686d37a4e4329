import { expect, type Locator, type Page } from '@playwright/test';

/** The Contribute page: consent, state and reason, the current job, the controls, the ledger, the network credit. */
export class ContributePage {
  constructor(readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('contribute-page');
  }

  state(): Locator {
    return this.page.getByTestId('contribute-state');
  }

  reason(): Locator {
    return this.page.getByTestId('contribute-reason');
  }

  async optIn(): Promise<void> {
    await expect(this.page.getByTestId('contribute-off')).toBeVisible();
    await this.page.getByTestId('contribute-open-consent').click();
    await expect(this.page.getByTestId('contribute-consent')).toBeVisible();
    await this.page.getByTestId('contribute-agree').click();
    await expect(this.page.getByTestId('contribute-status')).toBeVisible();
  }
}
