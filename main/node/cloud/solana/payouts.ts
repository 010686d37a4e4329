/**
 * Contributor payouts beside the wallet: the node's earned credit from the network service (`GET /v1/nodes/me`,
 * docs/contributor-protocol.md) and, where the network offers it, `POST /v1/nodes/me/payout {address}` to send it to
 * the wallet. The network calls are signed with the node's key, so they go through the contributor's own client
 * (main/node/cloud/network), handed in here as `NodeCreditSource`; without one the credit is said to be unavailable.
 */
import { AppError } from '../../../common/app-error';
import type { PayoutCredit, PayoutResult } from '../../../common/contract';

export interface NodeCreditSource {
  /** `GET /v1/nodes/me`: the node id and its credit. */
  me(): Promise<{ nodeId: string; credit: { earned: number; spent: number; balance: number } }>;
  /** `POST /v1/nodes/me/payout`; absent when the network client does not offer it. */
  payout?(req: { address: string; credit?: number }): Promise<PayoutResult>;
}

export class PayoutService {
  constructor(
    private readonly source: () => NodeCreditSource | null,
    private readonly walletAddress: () => string,
  ) {}

  async credit(): Promise<PayoutCredit> {
    const s = this.source();
    if (!s) return { available: false, nodeId: null, earned: null, spent: null, balance: null, payoutOffered: false, message: 'This studio is not a contributor node yet (no network client).' };
    try {
      const me = await s.me();
      return { available: true, nodeId: me.nodeId, earned: me.credit.earned, spent: me.credit.spent, balance: me.credit.balance, payoutOffered: typeof s.payout === 'function', message: null };
    } catch (err) {
      const e = AppError.from(err);
      return { available: false, nodeId: null, earned: null, spent: null, balance: null, payoutOffered: typeof s.payout === 'function', message: e.message };
    }
  }

  async payout(req: { credit?: number }): Promise<PayoutResult> {
    const s = this.source();
    if (!s?.payout) throw new AppError('UNSUPPORTED', 'The contributor network does not offer payouts here (POST /v1/nodes/me/payout).');
    return s.payout({ address: this.walletAddress(), ...(req.credit !== undefined ? { credit: req.credit } : {}) });
  }
}

/** What the network service's `account()` answers (GET /v1/accounts/me: the studio identity's credit). */
export interface NetworkAccountLike {
  accountId: string | null;
  credit: { earned: number; spent: number; balance: number } | null;
  error: { message: string } | null;
  networkUrl: string | null;
}

/**
 * The credit source over the network service (main/node/cloud/network): the studio's one identity earns as a node
 * and spends as a creator, so its account's credit is the node's. No payout yet: the network client has no
 * `POST /v1/nodes/me/payout` call (docs/contributor-protocol.md documents it).
 */
export function creditFromNetworkAccount(account: () => Promise<NetworkAccountLike>): NodeCreditSource {
  return {
    async me() {
      const a = await account();
      if (!a.networkUrl) throw new AppError('INVALID_INPUT', 'No contributor network address is set.');
      if (a.error || !a.credit || !a.accountId) throw new AppError('NETWORK', a.error?.message ?? 'The contributor network did not say the credit.');
      return { nodeId: a.accountId, credit: { earned: a.credit.earned, spent: a.credit.spent, balance: a.credit.balance } };
    },
  };
}
