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
