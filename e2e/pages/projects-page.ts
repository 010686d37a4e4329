import { expect, type Locator, type Page } from '@playwright/test';

export class ProjectsPage {
  constructor(readonly page: Page) {}

  cards(): Locator {
    return this.page.getByTestId('project-card');
  }

  card(name: string): Locator {
    return this.cards().filter({ has: this.page.getByTestId('project-name').getByText(name, { exact: true }) });
  }

  /** Creates a project through the dialog; the app then opens it on the media page. */
  async create(name: string, description = ''): Promise<void> {
    await this.page.getByTestId('new-project').click();
    const dialog = this.page.getByTestId('project-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('project-name-input').fill(name);
    if (description) await dialog.getByTestId('project-description-input').fill(description);
    await dialog.getByTestId('project-dialog-submit').click();
    await expect(dialog).toBeHidden();
  }

  async open(name: string): Promise<void> {
    await this.card(name).getByTestId('project-open').click();
    await expect(this.page.getByTestId('media-project-name')).toHaveText(name);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.card(from).getByTestId('project-rename').click();
    const dialog = this.page.getByTestId('project-dialog');
    await dialog.getByTestId('project-name-input').fill(to);
    await dialog.getByTestId('project-dialog-submit').click();
    await expect(dialog).toBeHidden();
  }

  async delete(name: string): Promise<void> {
    await this.card(name).getByTestId('project-delete').click();
    const dialog = this.page.getByTestId('delete-project-dialog');
    await dialog.getByTestId('confirm-button').click();
    await expect(dialog).toBeHidden();
  }
}
