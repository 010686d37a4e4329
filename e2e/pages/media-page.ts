import { expect, type Locator, type Page } from '@playwright/test';

export class MediaPage {
  constructor(readonly page: Page) {}

  mediaItems(): Locator {
    return this.page.getByTestId('media-item');
  }

  metadata(): Locator {
    return this.page.getByTestId('media-metadata');
  }

  meta(key: string): Locator {
    return this.metadata().getByTestId(`meta-${key}`).locator('dd');
  }

  async importSample(): Promise<void> {
    await this.page.getByTestId('import-sample').first().click();
    await expect(this.mediaItems().first()).toBeVisible({ timeout: 30_000 });
  }

  /** Picks files through the hidden file input, as the Import button's picker would. */
  async importFiles(files: string[] | { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
    await this.page.getByTestId('import-input').setInputFiles(files as never);
  }

  async extract(options: { fps: number; format?: 'jpg' | 'png' | 'webp' }): Promise<void> {
    const form = this.page.getByTestId('extract-form');
    await form.getByTestId('extract-fps').fill(String(options.fps));
    if (options.format) await form.getByTestId(`extract-format-${options.format}`).click();
    await form.getByTestId('extract-submit').click();
  }

  frameSets(): Locator {
    return this.page.getByTestId('frame-set');
  }

  /** The newest set (the list is newest first). */
  latestSet(): Locator {
    return this.frameSets().first();
  }

  thumbnails(): Locator {
    return this.page.getByTestId('frame-grid').getByTestId('frame-thumb');
  }
}
