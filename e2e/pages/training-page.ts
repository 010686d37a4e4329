import { expect, type Locator, type Page } from '@playwright/test';

/** The Training page: sign-in, chat, dataset builder, workflows. */
export class TrainingPage {
  constructor(readonly page: Page) {}

  tab(name: 'chat' | 'dataset' | 'workflows'): Locator {
    return this.page.getByTestId(`training-tab-${name}`);
  }

  async openTab(name: 'chat' | 'dataset' | 'workflows'): Promise<void> {
    await this.tab(name).click();
    await expect(this.tab(name)).toHaveAttribute('aria-selected', 'true');
  }

  async signIn(email: string, password: string): Promise<void> {
    const account = this.page.getByTestId('training-account');
    await account.getByTestId('training-email').fill(email);
    await account.getByTestId('training-password').fill(password);
    await account.getByTestId('training-sign-in').click();
    await expect(this.page.getByTestId('training-account')).toHaveAttribute('data-state', 'signedIn');
  }

  report(): Locator {
    return this.page.getByTestId('training-report');
  }

  issue(code: string): Locator {
    return this.report().locator(`[data-testid="training-issue"][data-code="${code}"]`);
  }

  /** Builds the dataset from the bins as they are and waits for the health report. */
  async buildAndCheck(): Promise<Locator> {
    await this.page.getByTestId('training-build').click();
    await expect(this.report()).toBeVisible({ timeout: 60_000 });
    return this.report();
  }

  /** Packs and uploads; resolves with the platform's dataset id. */
  async upload(): Promise<string> {
    await this.page.getByTestId('training-upload').click();
    const remote = this.page.getByTestId('training-remote');
    await expect(remote).toBeVisible({ timeout: 60_000 });
    return (await remote.getAttribute('data-dataset-id'))!;
  }

  async say(text: string): Promise<void> {
    await this.page.getByTestId('training-chat-input').fill(text);
    await this.page.getByTestId('training-chat-input').press('Enter');
  }

  question(field: string): Locator {
    return this.page.getByTestId(`training-question-${field}`);
  }

  workflowDetail(): Locator {
    return this.page.getByTestId('training-workflow-detail');
  }

  lossChart(): Locator {
    return this.page.getByTestId('training-chart-loss');
  }

  /** Epochs on the loss chart (0 before the first one, when the chart is not drawn yet). */
  async epochsDrawn(): Promise<number> {
    if ((await this.lossChart().count()) === 0) return 0;
    return Number((await this.lossChart().getAttribute('data-epochs')) ?? 0);
  }
}
