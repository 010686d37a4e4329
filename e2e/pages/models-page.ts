import { expect, type Locator, type Page } from '@playwright/test';
import { watchFor } from './app-page';

export type RunMode = 'remaining' | 'all';

/** The Models page: devices, library and import, the run form, the run list and the results of the selected run. */
export class ModelsPage {
  constructor(readonly page: Page) {}

  // ---- devices ----

  devices(): Locator {
    return this.page.getByTestId('devices-panel');
  }

  /** One ONNX Runtime execution provider (`cuda`, `dml`, `coreml`, `cpu`) in the devices panel. */
  onnxProvider(name: string): Locator {
    return this.devices().getByTestId('onnx-providers').locator(`[data-provider="${name}"]`);
  }

  /** One TensorFlow.js backend (`tfjs-node-gpu`, `wasm`, `cpu`) in the devices panel. */
  tfjsBackend(name: string): Locator {
    return this.devices().getByTestId('tfjs-backends').locator(`[data-provider="${name}"]`);
  }

  forceCpu(): Locator {
    return this.page.getByTestId('force-cpu');
  }

  // ---- library ----

  modelRows(): Locator {
    return this.page.getByTestId('library-panel').getByTestId('model-row');
  }

  /** Picks a file for the import form, as its "Choose an .onnx file" button would (browser host). */
  async importModelFile(file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    await this.page.getByTestId('import-file').setInputFiles(file);
  }

  // ---- run form ----

  runForm(): Locator {
    return this.page.getByTestId('run-form');
  }

  /** The line under the form that says how many images the run would process (data-* carry the numbers). */
  plan(): Locator {
    return this.page.getByTestId('run-plan');
  }

  /** Waits for the plan of the current choice and returns its numbers. */
  async planCounts(): Promise<{ inScope: number; withResult: number; inProgress: number; toProcess: number }> {
    const plan = this.plan();
    await expect(plan).toHaveAttribute('data-ready', 'true');
    const n = async (attr: string) => Number(await plan.getAttribute(attr));
    return { inScope: await n('data-in-scope'), withResult: await n('data-with-result'), inProgress: await n('data-in-progress'), toProcess: await n('data-to-process') };
  }

  /** Chooses model, images (a frame set id or 'all') and mode; waits until the plan matches the choice. */
  async choose(options: { model: string; images?: number | 'all'; mode?: RunMode }): Promise<void> {
    await this.page.getByTestId('run-model').selectOption(options.model);
    if (options.images !== undefined) await this.page.getByTestId('run-set').selectOption(String(options.images));
    if (options.mode) await this.page.getByTestId(`run-mode-${options.mode}`).click();
    await expect(this.page.getByTestId('run-model')).toHaveValue(options.model);
    await expect(this.plan()).toHaveAttribute('data-ready', 'true');
  }

  startButton(): Locator {
    return this.page.getByTestId('run-start');
  }

  /** Starts the chosen run and returns its row (the newest, at the top of the list). */
  async start(modelId: string): Promise<Locator> {
    const before = await this.runs().count();
    await this.startButton().click();
    await expect(this.runs()).toHaveCount(before + 1);
    const row = this.runs().first();
    await expect(row).toHaveAttribute('data-model-id', modelId);
    return row;
  }

  // ---- runs and results ----

  runs(): Locator {
    return this.page.getByTestId('run-list').getByTestId('run-item');
  }

  runsOf(modelId: string): Locator {
    return this.page.getByTestId('run-list').locator(`[data-testid="run-item"][data-model-id="${modelId}"]`);
  }

  /** Shows a run's summary and results. */
  async select(run: Locator): Promise<void> {
    await run.locator('.run-item-main').click();
    await expect(run).toHaveAttribute('aria-current', 'true');
  }

  results(): Locator {
    return this.page.getByTestId('results-panel');
  }

  /** "N results": the number of stored results of the selected run (tiles come in pages of 48). */
  resultCount(): Locator {
    return this.results().locator('.panel-title');
  }

  tiles(): Locator {
    return this.results().locator('.result-grid').getByTestId('result-tile');
  }

  /** Image ids of the result tiles shown. */
  async tileImageIds(): Promise<number[]> {
    return (await this.tiles().evaluateAll((els) => els.map((e) => e.getAttribute('data-image-id')))).map(Number);
  }

  summary(): Locator {
    return this.page.getByTestId('run-summary');
  }

  /** The detection confidence threshold (a range input, 0.05..0.95) and its shown value ("40%"). */
  minScore(): Locator {
    return this.results().getByTestId('min-score');
  }

  minScoreValue(): Locator {
    return this.results().getByTestId('min-score-value');
  }

  /** Sets the threshold and waits until the page shows it. */
  async setMinScore(value: number): Promise<void> {
    await this.minScore().fill(String(value));
    await expect(this.minScoreValue()).toHaveText(`${Math.round(value * 100)}%`);
  }

  /** Confidence of every detection box drawn on the result tiles. */
  async tileBoxScores(): Promise<number[]> {
    return (await this.tiles().getByTestId('overlay-box').evaluateAll((els) => els.map((e) => e.getAttribute('data-score')))).map(Number);
  }

  /** The reason the selected run gives for not using a provider or backend. */
  fallback(name: string): Locator {
    return this.summary().locator(`[data-testid="run-fallback"][data-provider="${name}"]`);
  }

  async showFallbacks(): Promise<void> {
    const details = this.summary().getByTestId('run-fallbacks');
    if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  }

  /** Exports the selected run and returns the data-relative path the page shows. */
  async export(format: 'json' | 'csv' | 'coco'): Promise<string> {
    const link = this.summary().getByTestId('export-link');
    const before = (await link.count()) ? await link.textContent() : null;
    await this.summary().getByTestId(`export-${format}`).click();
    await expect(link).toBeVisible();
    await expect(link).not.toHaveText(before ?? '');
    return (await link.textContent())!.trim();
  }

  /**
   * Records whether an element ever appeared, however briefly (a small run may finish between two polls of
   * an ordinary assertion).
   */
  watchFor(testId: string): Promise<() => Promise<boolean>> {
    return watchFor(this.page, testId);
  }
}
