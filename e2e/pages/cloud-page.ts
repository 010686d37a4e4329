import { expect, type Locator, type Page } from '@playwright/test';

export type CloudModelKey = 'gs3d' | 'nerf2mesh' | 'instant-mesh' | 'musepose' | 'decal';

/** The Cloud page: connection, account, the New 3D job form with its pre-flight, jobs and My items. */
export class CloudPage {
  constructor(readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('cloud-page');
  }

  // --- connection -------------------------------------------------------------------------------------------

  connection(): Locator {
    return this.page.getByTestId('cloud-connection');
  }

  /** Waits for the reachability check that runs when the page opens. */
  async expectReachable(): Promise<void> {
    await expect(this.page.getByTestId('cloud-reach')).toHaveAttribute('data-state', 'reachable', { timeout: 20_000 });
  }

  // --- account ----------------------------------------------------------------------------------------------

  account(): Locator {
    return this.page.getByTestId('cloud-account');
  }

  /** Fills the sign-in form and sends it; does not wait for the outcome. */
  async trySignIn(email: string, password: string): Promise<void> {
    const form = this.page.getByTestId('account-form');
    await form.getByTestId('account-mode-signIn').click();
    await form.getByTestId('account-email').fill(email);
    await form.getByTestId('account-password').fill(password);
    await form.getByTestId('account-submit').click();
  }

  async signIn(email: string, password: string): Promise<void> {
    await this.trySignIn(email, password);
    await expect(this.account()).toHaveAttribute('data-state', 'signedIn');
    await expect(this.page.getByTestId('account-profile-email')).toHaveText(email);
  }

  accountError(): Locator {
    return this.page.getByTestId('account-error');
  }

  // --- new job ----------------------------------------------------------------------------------------------

  form(): Locator {
    return this.page.getByTestId('cloud-job-form');
  }

  async chooseModel(model: CloudModelKey): Promise<void> {
    await this.form().getByTestId(`cloud-model-${model}`).click();
    await expect(this.form()).toHaveAttribute('data-model', model);
  }

  /** Picks the main input by its file name. */
  async chooseMedia(name: string): Promise<void> {
    await this.form().getByTestId('cloud-media').selectOption({ label: name });
  }

  preflight(): Locator {
    return this.form().getByTestId('cloud-preflight');
  }

  /** Waits for the verdict of the chosen input: 'ok' or 'bad'. */
  async expectVerdict(state: 'ok' | 'bad'): Promise<void> {
    await expect(this.preflight()).toHaveAttribute('data-state', state, { timeout: 60_000 });
  }

  problem(code: string): Locator {
    return this.preflight().getByTestId('cloud-preflight-problem').and(this.page.locator(`[data-code="${code}"]`));
  }

  submitButton(): Locator {
    return this.form().getByTestId('cloud-submit');
  }

  /** Sends the form; returns the new job's card (the list is newest first). */
  async submit(): Promise<Locator> {
    const before = await this.jobIds();
    await expect(this.submitButton()).toBeEnabled();
    await this.submitButton().click();
    let id = '';
    await expect
      .poll(async () => {
        id = (await this.jobIds()).find((x) => !before.includes(x)) ?? '';
        return id;
      })
      .not.toBe('');
    return this.job(id);
  }

  // --- jobs -------------------------------------------------------------------------------------------------

  jobs(): Locator {
    return this.page.getByTestId('cloud-job');
  }

  job(id: string): Locator {
    return this.jobs().and(this.page.locator(`[data-job-id="${id}"]`));
  }

  private async jobIds(): Promise<string[]> {
    return this.jobs().evaluateAll((els) => els.map((e) => e.getAttribute('data-job-id') ?? ''));
  }

  /** Waits for a job to reach `done` (upload, cloud processing and downloads included). */
  async expectDone(job: Locator, timeout = 90_000): Promise<void> {
    await expect(job).toHaveAttribute('data-state', 'done', { timeout });
  }

  result(job: Locator, kind: string): Locator {
    return job.getByTestId('cloud-result').and(this.page.locator(`[data-kind="${kind}"]`));
  }

  /** Opens a result in the 3D viewer and waits for its first drawn frame. */
  async openIn3d(job: Locator, kind: string): Promise<void> {
    await this.result(job, kind).first().getByTestId('cloud-open-3d').click();
    await expect(this.page.getByTestId('page-viewer')).toBeVisible();
    const canvas = this.page.getByTestId('viewer-canvas-0');
    await expect(canvas).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  }

  /** A statistic of the model open in the viewer, as a number. */
  async viewerStat(id: string): Promise<number> {
    const stat = this.page.getByTestId('viewer-stats-0').getByTestId(`stat-${id}`);
    await expect(stat).toBeVisible();
    return Number(await stat.getAttribute('data-value'));
  }

  // --- My items ---------------------------------------------------------------------------------------------

  items(): Locator {
    return this.page.getByTestId('cloud-items');
  }

  itemRows(): Locator {
    return this.items().getByTestId('cloud-item');
  }

  async showItems(model: CloudModelKey): Promise<void> {
    await this.items().getByTestId('cloud-items-model').selectOption(model);
    await expect(this.items()).toHaveAttribute('data-model', model);
  }

  async loadMore(): Promise<void> {
    const before = await this.itemRows().count();
    await this.items().getByTestId('cloud-items-more').click();
    await expect.poll(() => this.itemRows().count()).toBeGreaterThan(before);
  }

  item(requestId: string): Locator {
    return this.itemRows().and(this.page.locator(`[data-request-id="${requestId}"]`));
  }

  /** Deletes an item through its confirmation dialog. */
  async deleteItem(requestId: string): Promise<void> {
    await this.item(requestId).getByTestId('cloud-item-delete').click();
    const dialog = this.page.getByTestId('delete-item-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('confirm-button').click();
    await expect(dialog).toBeHidden();
  }
}
