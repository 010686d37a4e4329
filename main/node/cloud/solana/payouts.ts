/**
 * Contributor payouts beside the wallet: the node's earned credit from the network service (`GET /v1/nodes/me`,
 * docs/contributor-protocol.md) and, where the network offers it, `POST /v1/nodes/me/payout {address}` to send it to
 * the wallet. The network calls are signed with the node's key, so they go through the contributor's own client
 * (main/node/cloud/network), handed in here as `NodeCreditSource`; without one the credit is said to be unavailable.
 */
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import type { PayoutCredit, PayoutResult } from '../../../common/contract';

export interface NodeCreditSource {
  /** `GET /v1/nodes/me`: the node id and its credit. */
  me(): Promise<{ nodeId: string; credit: { earned: number; spent: number; balance: number; payable?: number | null } }>;
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
    if (!s) return { available: false, nodeId: null, earned: null, spent: null, balance: null, payable: null, payoutOffered: false, ...said(say('solana.not_a_node', {})) };
    try {
      const me = await s.me();
      return { available: true, nodeId: me.nodeId, earned: me.credit.earned, spent: me.credit.spent, balance: me.credit.balance, payable: me.credit.payable ?? null, payoutOffered: typeof s.payout === 'function', message: null };
    } catch (err) {
      const e = AppError.from(err);
      return { available: false, nodeId: null, earned: null, spent: null, balance: null, payable: null, payoutOffered: typeof s.payout === 'function', ...said(e) };
    }
  }

  async payout(req: { credit?: number }): Promise<PayoutResult> {
    const s = this.source();
    if (!s?.payout) throw new AppError('UNSUPPORTED', say('solana.no_payouts', {}));
    return s.payout({ address: this.walletAddress(), ...(req.credit !== undefined ? { credit: req.credit } : {}) });
  }
}

/** A sentence as `message` with its code and parameters, where it has one (the Wallet page translates it). */
function said(x: { message: string; messageCode?: string; messageParams?: Record<string, string | number> }): Pick<PayoutCredit, 'message' | 'messageCode' | 'messageParams'> {
  return x.messageCode ? { message: x.message, messageCode: x.messageCode, messageParams: x.messageParams ?? {} } : { message: x.message };
}

/** What the network service offers the wallet (main/node/cloud/network/network-service.ts). */
export interface NetworkCreditLike {
  nodeCredit(): Promise<{ nodeId: string; credit: { earned: number; spent: number; balance: number; payable: number | null } }>;
  payout(req: { address: string; credit?: number }): Promise<PayoutResult>;
}

/**
 * The credit source over the network service: the studio's one identity earns as a node and spends as a creator,
 * so the node's credit is the studio's; its payouts go to the wallet.
 */
export function creditFromNetwork(network: NetworkCreditLike): NodeCreditSource {
  return {
    me: () => network.nodeCredit(),
    payout: async (req) => {
      const r = await network.payout(req);
      return { payoutId: r.payoutId, address: r.address, credit: r.credit, lamports: r.lamports, signature: r.signature, balance: r.balance };
    },
  };
}
