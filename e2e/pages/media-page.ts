import { expect, type Locator, type Page } from '@playwright/test';

export type ExtractModeKind = 'fps' | 'every' | 'keyframes' | 'scene' | 'count';

/** Every field of the extraction form; fields left out are reset (the form keeps what was typed last time). */
export interface ExtractChoice {
  mode: ExtractModeKind;
  /** fps, N, threshold or count; not for key frames. */
  value?: number;
  start?: number;
  end?: number;
  maxSide?: number;
  format?: 'jpg' | 'png' | 'webp';
  dropBlurry?: boolean;
}

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

  /** The media item with this file name. */
  item(name: string): Locator {
    return this.mediaItems().filter({ has: this.page.getByTestId('media-name').getByText(name, { exact: true }) });
  }

  async select(name: string): Promise<void> {
    await this.item(name).getByTestId('media-select').click();
    await expect(this.page.getByTestId('media-details-name')).toHaveText(name);
  }

  /**
   * Fills the whole extraction form as `choice` says, starts it and waits for the new set to finish.
   * Returns the new set's row (found by its id, so older sets never answer for it) and its id.
   */
  async extractSet(choice: ExtractChoice): Promise<{ set: Locator; id: number }> {
    const form = this.page.getByTestId('extract-form');
    await form.getByTestId(`extract-mode-${choice.mode}`).click();
    await expect(form.getByTestId(`extract-mode-${choice.mode}`)).toHaveAttribute('aria-pressed', 'true');
    if (choice.mode !== 'keyframes') await form.getByTestId(`extract-${choice.mode}`).fill(String(choice.value));
    await form.getByTestId('extract-start').fill(choice.start !== undefined ? String(choice.start) : '');
    await form.getByTestId('extract-end').fill(choice.end !== undefined ? String(choice.end) : '');
    await form.getByTestId('extract-max-side').fill(choice.maxSide !== undefined ? String(choice.maxSide) : '');
    await form.getByTestId(`extract-format-${choice.format ?? 'jpg'}`).click();
    await form.getByTestId('extract-drop-blurry').setChecked(choice.dropBlurry ?? false);
    const before = await this.setIds();
    await form.getByTestId('extract-submit').click();
    let id = 0;
    await expect
      .poll(async () => {
        id = (await this.setIds()).find((x) => !before.includes(x)) ?? 0;
        return id;
      })
      .toBeGreaterThan(0);
    const set = this.frameSets().and(this.page.locator(`[data-set-id="${id}"]`));
    await expect(set).toHaveAttribute('data-status', 'complete', { timeout: 60_000 });
    return { set, id };
  }

  private async setIds(): Promise<number[]> {
    return (await this.frameSets().evaluateAll((els) => els.map((e) => e.getAttribute('data-set-id')))).map(Number);
  }

  /** Checks the selected media against a cloud model (MusePose: with the image of that name, or none); returns the report. */
  async preflight(model: string, image?: string): Promise<Locator> {
    const panel = this.page.getByTestId('preflight-panel');
    await panel.getByTestId(`preflight-model-${model}`).click();
    if (model === 'musepose') await panel.getByTestId('preflight-image').selectOption(image !== undefined ? { label: image } : { value: '' });
    await panel.getByTestId('preflight-check').click();
    const report = panel.getByTestId('preflight-report');
    await expect(report).toBeVisible({ timeout: 60_000 });
    return report;
  }

  problem(code: string): Locator {
    return this.page.getByTestId('preflight-problem').and(this.page.locator(`[data-code="${code}"]`));
  }

  /** Moves the frame-set scrubber to a 0-based position. */
  async scrubTo(index: number): Promise<void> {
    await this.page.getByTestId('scrubber-range').fill(String(index));
    await expect(this.page.getByTestId('scrubber-position')).toHaveText(new RegExp(`^${index + 1} / `));
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
