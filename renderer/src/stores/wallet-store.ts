/**
 * The Wallet page's state: the wallet (address, never the secret unless exported behind a confirmation), balance,
 * recent transactions and the cluster; the Solana backend address; registered models and their lineage tree; the
 * royalty preview before a payment and the payment's outcome; the contributor credit. Every call goes through
 * `api.wallet|registry|royalty.<verb>` (main/common/contract/wallet.ts).
 */
import { create } from 'zustand';
import type {
  ClusterSetting,
  LineageTreeNode,
  PayoutCredit,
  RegisteredModel,
  RequestOf,
  RoyaltyPayment,
  RoyaltyPreview,
  SolanaCluster,
  WalletBalance,
  WalletInfo,
  WalletTransaction,
} from '../../../main/common/contract';
import { api } from '../api';
import type { CodedText } from '../i18n/say';
import { sol } from '../pages/wallet/format';
import { showError, useToasts } from './toast-store';

type Backend = Awaited<ReturnType<typeof api.registry.connection>>;

export interface PayTarget {
  model: RegisteredModel;
  tier: string;
}

interface WalletState {
  info: WalletInfo | null;
  balance: WalletBalance | null;
  /** Why the balance could not be read: the core's sentence with its code (shown translated). */
  balanceError: CodedText | null;
  transactions: WalletTransaction[];
  backend: Backend | null;
  models: RegisteredModel[];
  tree: LineageTreeNode[];
  payments: RoyaltyPayment[];
  credit: PayoutCredit | null;
  busy: Record<string, boolean>;
  /** The tier about to be paid, with its preview (shown before paying). */
  paying: (PayTarget & { preview: RoyaltyPreview | null }) | null;
  /** The outcome of the last payment. */
  outcome: RoyaltyPayment | null;
  exported: { secretKey: string; secretKeyJson: string } | null;

  load(): Promise<void>;
  refreshBalance(): Promise<void>;
  create(): Promise<void>;
  importKey(secretKey: string): Promise<boolean>;
  exportKey(): Promise<void>;
  clearExport(): void;
  forget(): Promise<void>;
  setCluster(cluster: SolanaCluster, rpcUrl?: string): Promise<ClusterSetting | null>;
  airdrop(sol: number): Promise<void>;
  setBackend(baseUrl: string | null): Promise<void>;
  register(req: RequestOf<'registry.register'>): Promise<RegisteredModel | null>;
  loadRegistry(): Promise<void>;
  startPay(target: PayTarget): Promise<void>;
  cancelPay(): void;
  pay(): Promise<RoyaltyPayment | null>;
  payout(): Promise<void>;
}

async function busyWhile<T>(key: string, fn: () => Promise<T>): Promise<T> {
  useWallet.setState((s) => ({ busy: { ...s.busy, [key]: true } }));
  try {
    return await fn();
  } finally {
    useWallet.setState((s) => ({ busy: { ...s.busy, [key]: false } }));
  }
}

export const useWallet = create<WalletState>((set, get) => ({
  info: null,
  balance: null,
  balanceError: null,
  transactions: [],
  backend: null,
  models: [],
  tree: [],
  payments: [],
  credit: null,
  busy: {},
  paying: null,
  outcome: null,
  exported: null,

  async load() {
    try {
      const [info, backend] = await Promise.all([api.wallet.info(), api.registry.connection()]);
      set({ info, backend });
    } catch (err) {
      showError(err);
      return;
    }
    void get().loadRegistry();
    void get().refreshBalance();
    void api.wallet.credit().then((credit) => set({ credit }), () => undefined);
  },

  async refreshBalance() {
    if (!get().info?.address) return set({ balance: null, transactions: [], balanceError: null });
    await busyWhile('balance', async () => {
      try {
        const [balance, transactions] = await Promise.all([api.wallet.balance(), api.wallet.transactions({ limit: 10 })]);
        set({ balance, transactions, balanceError: null });
      } catch (err) {
        set({ balance: null, balanceError: codedOf(err) });
      }
    });
  },

  async create() {
    await busyWhile('create', async () => {
      try {
        set({ info: await api.wallet.create() });
        await get().refreshBalance();
      } catch (err) {
        showError(err);
      }
    });
  },

  async importKey(secretKey) {
    return busyWhile('import', async () => {
      try {
        set({ info: await api.wallet.import({ secretKey, replace: true }) });
        await get().refreshBalance();
        return true;
      } catch (err) {
        showError(err);
        return false;
      }
    });
  },

  async exportKey() {
    try {
      const r = await api.wallet.export({ confirm: true });
      set({ exported: { secretKey: r.secretKey, secretKeyJson: r.secretKeyJson } });
    } catch (err) {
      showError(err);
    }
  },
  clearExport: () => set({ exported: null }),

  async forget() {
    try {
      await api.wallet.forget({ confirm: true });
      set({ info: await api.wallet.info(), balance: null, transactions: [], exported: null });
    } catch (err) {
      showError(err);
    }
  },

  async setCluster(cluster, rpcUrl) {
    try {
      const c = await api.wallet.setCluster(rpcUrl ? { cluster, rpcUrl } : { cluster });
      set({ info: await api.wallet.info() });
      void get().refreshBalance();
      return c;
    } catch (err) {
      showError(err);
      return null;
    }
  },

  async airdrop(sol) {
    await busyWhile('airdrop', async () => {
      try {
        const r = await api.wallet.airdrop({ sol });
        set({ balance: r.balance });
        useToasts.getState().push({ kind: 'success', titleKey: 'wallet:toasts.airdropped', titleValues: { sol } });
        await get().refreshBalance();
      } catch (err) {
        showError(err);
      }
    });
  },

  async setBackend(baseUrl) {
    try {
      set({ backend: await api.registry.setConnection({ baseUrl }) });
      await get().loadRegistry();
    } catch (err) {
      showError(err);
    }
  },

  async register(req) {
    return busyWhile('register', async () => {
      try {
        const m = await api.registry.register(req);
        useToasts.getState().push({ kind: 'success', titleKey: 'wallet:toasts.registered', titleValues: { name: m.name } });
        await get().loadRegistry();
        return m;
      } catch (err) {
        showError(err);
        return null;
      }
    });
  },

  async loadRegistry() {
    try {
      const [models, tree, payments] = await Promise.all([api.registry.list(), api.registry.tree(), api.royalty.payments({})]);
      set({ models, tree, payments });
    } catch (err) {
      showError(err);
    }
  },

  async startPay(target) {
    set({ paying: { ...target, preview: null }, outcome: null });
    try {
      const price = target.model.pricing[target.tier]!.price;
      const preview = await api.royalty.preview({ totalLamports: price, modelPda: target.model.modelPda });
      if (get().paying?.model.modelPda === target.model.modelPda && get().paying?.tier === target.tier) set({ paying: { ...target, preview } });
    } catch (err) {
      showError(err);
      set({ paying: null });
    }
  },
  cancelPay: () => set({ paying: null }),

  async pay() {
    const p = get().paying;
    if (!p) return null;
    return busyWhile('pay', async () => {
      try {
        const outcome = await api.royalty.pay({ modelPda: p.model.modelPda, tier: p.tier });
        set({ outcome, paying: null });
        await Promise.all([get().loadRegistry(), get().refreshBalance()]);
        return outcome;
      } catch (err) {
        showError(err);
        return null;
      }
    });
  },

  async payout() {
    await busyWhile('payout', async () => {
      try {
        const r = await api.wallet.payout({});
        useToasts.getState().push(
          r.signature
            ? { kind: 'success', titleKey: 'wallet:toasts.paidOutSent', titleValues: { credit: r.credit, sol: sol(r.lamports) } }
            : { kind: 'success', titleKey: 'wallet:toasts.paidOut', titleValues: { credit: r.credit } },
        );
        set({ credit: await api.wallet.credit() });
        await get().refreshBalance();
      } catch (err) {
        showError(err);
        // a lost reply may still have paid: read what the network says now
        const credit = await api.wallet.credit().catch(() => null);
        if (credit) set({ credit });
      }
    });
  },
}));

/** A thrown value as a coded sentence: its code and parameters where it carries them (RemoteError), else its text. */
function codedOf(err: unknown): CodedText {
  const e = err as { message?: unknown; messageCode?: unknown; messageParams?: unknown } | null;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof e?.messageCode !== 'string') return { message };
  return { message, messageCode: e.messageCode, messageParams: e.messageParams && typeof e.messageParams === 'object' ? (e.messageParams as Record<string, string | number>) : {} };
}
