import { expect, type Locator, type Page } from '@playwright/test';

/** The Cloud page's GPU sessions tab: connection, register, quota, New session and the session rows. */
export class ComputePage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByTestId('cloud-tab-gpu').click();
    await expect(this.page.getByTestId('compute-tab')).toBeVisible();
  }

  connection(): Locator {
    return this.page.getByTestId('compute-connection');
  }

  async expectReachable(): Promise<void> {
    await expect(this.page.getByTestId('compute-reach')).toHaveAttribute('data-state', 'reachable', { timeout: 20_000 });
  }

  register(): Locator {
    return this.page.getByTestId('compute-register');
  }

  userIdErrors(): Locator {
    return this.register().getByTestId('compute-user-id-error');
  }

  /** Registers a new user id with its storage and campus; waits for the New session form. */
  async registerUser(userId: string, storageGb: number, school: number): Promise<void> {
    await this.register().getByTestId('compute-register-mode-register').click();
    await this.register().getByTestId('compute-user-id').fill(userId);
    await this.register().getByTestId('compute-storage-gb').fill(String(storageGb));
    await this.register().getByTestId('compute-school').fill(String(school));
    await this.register().getByTestId('compute-register-submit').click();
    await expect(this.newSession()).toBeVisible();
    await expect(this.page.getByTestId('compute-user-value')).toHaveText(userId);
  }

  quota(cluster: 'cpu' | 'gpu'): Locator {
    return this.page.getByTestId(`compute-quota-${cluster}`);
  }

  newSession(): Locator {
    return this.page.getByTestId('compute-new');
  }

  runButton(): Locator {
    return this.newSession().getByTestId('compute-run');
  }

  blocked(): Locator {
    return this.newSession().getByTestId('compute-new-blocked');
  }

  /** Fills the New session form (what is not given keeps its default) and starts it. */
  async start(opts: { cluster: 'cpu' | 'gpu'; image?: string; minutes?: number | null; storagePath?: string }): Promise<void> {
    await this.chooseCluster(opts.cluster);
    if (opts.image !== undefined) await this.newSession().getByTestId('compute-image').fill(opts.image);
    if (opts.minutes !== undefined) await this.newSession().getByTestId('compute-duration').fill(opts.minutes === null ? '' : String(opts.minutes));
    if (opts.storagePath !== undefined) await this.newSession().getByTestId('compute-storage-path').fill(opts.storagePath);
    await this.runButton().click();
  }

  async chooseCluster(cluster: 'cpu' | 'gpu'): Promise<void> {
    await this.newSession().getByTestId(`compute-cluster-${cluster}`).click();
    await expect(this.newSession()).toHaveAttribute('data-cluster', cluster);
  }

  sessions(): Locator {
    return this.page.getByTestId('compute-session');
  }

  /** The newest session row of a cluster (rows are newest first). */
  session(cluster: 'cpu' | 'gpu'): Locator {
    return this.page.locator(`[data-testid="compute-session"][data-cluster="${cluster}"]`).first();
  }

  byId(containerId: string): Locator {
    return this.page.locator(`[data-testid="compute-session"][data-container-id="${containerId}"]`);
  }

  /** Milliseconds left as the row shows them now (its data-ms). */
  async remainingMs(row: Locator): Promise<number> {
    return Number(await row.getByTestId('compute-remaining').getAttribute('data-ms'));
  }
}
