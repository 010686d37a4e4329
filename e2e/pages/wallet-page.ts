import { expect, type Locator, type Page } from '@playwright/test';

/** The Wallet page (renderer/src/pages/wallet): wallet, registry and lineage, register form, pay dialog, outcome. */
export class WalletPage {
  constructor(readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('wallet-page');
  }

  async createWallet(): Promise<string> {
    await this.page.getByTestId('wallet-create').click();
    const address = this.page.getByTestId('wallet-address');
    await expect(address).toHaveText(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    return (await address.textContent())!.trim();
  }

  async airdrop(sol: number): Promise<void> {
    await this.page.getByTestId('wallet-airdrop-amount').fill(String(sol));
    await this.page.getByTestId('wallet-airdrop').click();
    await expect(this.page.getByTestId('wallet-balance')).toHaveAttribute('data-lamports', String(sol * 1_000_000_000));
  }

  register(): Locator {
    return this.page.getByTestId('register-panel');
  }

  /** Starts the register form from a library model (the form is filled from its manifest). */
  async startFrom(modelId: string): Promise<void> {
    await this.register().getByTestId('register-model-select').selectOption(modelId);
    await expect(this.register().getByTestId('register-name')).not.toHaveValue('');
  }

  field(name: string): Locator {
    return this.register().getByTestId(`register-${name}`);
  }

  error(name: string): Locator {
    return this.register().getByTestId(`register-error-${name}`);
  }

  async submit(): Promise<void> {
    await this.register().getByTestId('register-submit').click();
  }

  model(name: string): Locator {
    return this.page.getByTestId(`registry-model-${name}`);
  }

  async pdaOf(name: string): Promise<string> {
    const pda = this.model(name).getByTestId('registry-model-pda');
    await expect(pda).toHaveText(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
    return (await pda.textContent())!.trim();
  }

  payDialog(): Locator {
    return this.page.getByTestId('royalty-pay-dialog');
  }

  outcome(): Locator {
    return this.page.getByTestId('royalty-outcome');
  }

  /** The lamports of each row of a distribution table (platform, developer, depth-N). */
  async amounts(table: Locator): Promise<Record<string, string>> {
    const rows = table.locator('tbody tr');
    const out: Record<string, string> = {};
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      const id = (await row.getAttribute('data-testid'))!.replace(/^.*-table-/, '');
      out[id] = (await row.getAttribute('data-lamports'))!;
    }
    return out;
  }
}
