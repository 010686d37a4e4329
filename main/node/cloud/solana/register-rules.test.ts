/**
 * Every client-side rule of seed 002's register-model (main/common/contract/wallet.ts), one test each: the seed's
 * own examples pass, each broken rule is reported on its field with its code, and nothing else is reported.
 */
import { Keypair, PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { base58Decode, base58Encode, isSolanaAddress, registerModelProblems, registerProblemText, type RegisterModelBody } from '../../../common/contract';

const PARENT = '8dj63ZRmz2GRTr838g15bGmboD6TNPaxQGeDX8CHfVm3';

/** The seed's Request Example 1 (root). */
function root(): RegisterModelBody {
  return {
    name: 'GPT-4-Base-Model',
    uploader: 'OpenAI',
    versionName: '1.0.0',
    modality: 'LLM',
    license: ['MIT'],
    walletAddress: 'Ctsc4RLun5Rrv8pLSidD8cpYKWWdsT1sNUqpA7rv4YLN',
    releaseDate: '2025-01-15',
    overview: 'GPT-4 base model for natural language processing',
    releaseNotes: 'Initial release with improved performance',
    thumbnail: 'https://example.com/models/gpt4-thumbnail.png',
    cidRoot: 'QmYwAPJzv5CZsnAzt8auVZRn',
    encryptionKey: 'enc_key_gpt4_base_2025',
    pricing: {
      research: { price: 0, description: 'Free for research', billingType: 'free' },
      standard: { price: 100000000000, description: '100 SOL per month', billingType: 'monthly_subscription', monthlyTokenLimit: 1000000 },
    },
    metrics: { accuracy: 0.95, f1Score: 0.93, latency: 120 },
    technicalSpecs: { parameters: '1.8T', architecture: 'Transformer', contextWindow: 128000 },
    sample: { input: 'Explain quantum computing', output: 'Quantum computing uses quantum mechanics...' },
    relationship: 'root',
  };
}

function derived(): RegisterModelBody {
  return { ...root(), name: 'GPT-4-Medical-Specialized', relationship: 'derived', parentModelPDA: PARENT };
}

/** The problems of a changed body, as field:code pairs. */
function broken(change: (b: Record<string, unknown>) => void, base: () => RegisterModelBody = root): string[] {
  const b = base() as unknown as Record<string, unknown>;
  change(b);
  return registerModelProblems(b).map((p) => `${p.field}:${p.code}`);
}

describe('register-model rules (client side)', () => {
  it('the seed examples (root, derived) and a fine-tuned child pass', () => {
    expect(registerModelProblems(root())).toEqual([]);
    expect(registerModelProblems(derived())).toEqual([]);
    expect(registerModelProblems({ ...derived(), relationship: 'fine-tuned' })).toEqual([]);
  });

  for (const [field, max] of [
    ['name', 64],
    ['uploader', 64],
    ['versionName', 64],
    ['modality', 32],
    ['releaseDate', 32],
    ['overview', 1024],
    ['releaseNotes', 1024],
    ['thumbnail', 256],
    ['cidRoot', 128],
    ['encryptionKey', 128],
  ] as const) {
    it(`${field}: at most ${max} characters (exactly ${max} passes), required, text`, () => {
      expect(broken((b) => (b[field] = 'x'.repeat(max)))).toEqual([]);
      // Counted in characters, not UTF-16 units or bytes: Korean text of the limit passes.
      expect(broken((b) => (b[field] = '한'.repeat(max)))).toEqual([]);
      expect(broken((b) => (b[field] = 'x'.repeat(max + 1)))).toEqual([`${field}:too_long`]);
      expect(registerModelProblems({ ...root(), [field]: 'x'.repeat(max + 1) })[0]!.params).toEqual({ max, length: max + 1 });
      expect(broken((b) => delete b[field])).toEqual([`${field}:required`]);
      expect(broken((b) => (b[field] = '   '))).toEqual([`${field}:required`]);
      expect(broken((b) => (b[field] = 12))).toEqual([`${field}:not_text`]);
    });
  }

  it('license: a list of strings, at least one, each at most 256 characters', () => {
    expect(broken((b) => (b.license = ['MIT', 'Apache-2.0']))).toEqual([]);
    expect(broken((b) => (b.license = 'MIT'))).toEqual(['license:not_list']);
    expect(broken((b) => (b.license = ['MIT', 3]))).toEqual(['license:not_list']);
    expect(broken((b) => (b.license = []))).toEqual(['license:required']);
    expect(broken((b) => delete b.license)).toEqual(['license:required']);
    expect(broken((b) => (b.license = ['x'.repeat(257)]))).toEqual(['license:too_long']);
  });

  it('walletAddress: a valid Solana public key', () => {
    expect(broken((b) => (b.walletAddress = Keypair.generate().publicKey.toBase58()))).toEqual([]);
    expect(broken((b) => (b.walletAddress = 'not-a-key'))).toEqual(['walletAddress:bad_address']);
    // base58 but 31 bytes; and a 0 (not in the base58 alphabet)
    expect(broken((b) => (b.walletAddress = base58Encode(new Uint8Array(31).fill(255))))).toEqual(['walletAddress:bad_address']);
    expect(broken((b) => (b.walletAddress = base58Encode(new Uint8Array(33).fill(7))))).toEqual(['walletAddress:bad_address']);
    expect(broken((b) => (b.walletAddress = 'Ctsc4RLun5Rrv8pLSidD8cpYKWWdsT1sNUqpA7rv4Y0N'))).toEqual(['walletAddress:bad_address']);
    expect(broken((b) => delete b.walletAddress)).toEqual(['walletAddress:required']);
  });

  it('pricing: an object with at least one named tier', () => {
    expect(broken((b) => delete b.pricing)).toEqual(['pricing:required']);
    expect(broken((b) => (b.pricing = {}))).toEqual(['pricing:no_tiers']);
    expect(broken((b) => (b.pricing = [1]))).toEqual(['pricing:not_object']);
    expect(broken((b) => (b.pricing = { ['x'.repeat(65)]: { price: 0, description: 'd', billingType: 'free' } }))).toEqual([`pricing.${'x'.repeat(65)}:bad_tier_name`]);
  });

  it('pricing tier price: whole lamports, 0 or more', () => {
    const tier = (price: unknown) => (b: Record<string, unknown>) => (b.pricing = { standard: { price, description: 'd', billingType: 'monthly_subscription' } });
    expect(broken(tier(1))).toEqual([]);
    expect(broken(tier(1.5))).toEqual(['pricing.standard.price:not_lamports']);
    expect(broken(tier(-1))).toEqual(['pricing.standard.price:not_lamports']);
    expect(broken(tier('100'))).toEqual(['pricing.standard.price:not_lamports']);
    expect(broken(tier(2 ** 53))).toEqual(['pricing.standard.price:not_lamports']);
    expect(broken(tier(undefined))).toEqual(['pricing.standard.price:required']);
  });

  it('pricing tier description: required text', () => {
    expect(broken((b) => (b.pricing = { s: { price: 1, billingType: 'one_time_purchase' } }))).toEqual(['pricing.s.description:required']);
    expect(broken((b) => (b.pricing = { s: { price: 1, description: 5, billingType: 'one_time_purchase' } }))).toEqual(['pricing.s.description:not_text']);
    expect(broken((b) => (b.pricing = { s: { price: 1, description: 'x'.repeat(257), billingType: 'one_time_purchase' } }))).toEqual(['pricing.s.description:too_long']);
  });

  it('pricing tier billingType: free | monthly_subscription | one_time_purchase, and a free tier costs 0', () => {
    for (const t of ['free', 'monthly_subscription', 'one_time_purchase']) expect(broken((b) => (b.pricing = { s: { price: 0, description: 'd', billingType: t } }))).toEqual([]);
    expect(broken((b) => (b.pricing = { s: { price: 0, description: 'd', billingType: 'weekly' } }))).toEqual(['pricing.s.billingType:bad_billing_type']);
    expect(broken((b) => (b.pricing = { s: { price: 0, description: 'd' } }))).toEqual(['pricing.s.billingType:required']);
    expect(broken((b) => (b.pricing = { s: { price: 5, description: 'd', billingType: 'free' } }))).toEqual(['pricing.s.price:free_with_price']);
  });

  it('pricing tier monthlyTokenLimit: optional whole number', () => {
    expect(broken((b) => (b.pricing = { s: { price: 0, description: 'd', billingType: 'free', monthlyTokenLimit: 100000 } }))).toEqual([]);
    expect(broken((b) => (b.pricing = { s: { price: 0, description: 'd', billingType: 'free', monthlyTokenLimit: 1.5 } }))).toEqual(['pricing.s.monthlyTokenLimit:not_whole_number']);
    expect(broken((b) => (b.pricing = { s: { price: 0, description: 'd', billingType: 'free', monthlyTokenLimit: -1 } }))).toEqual(['pricing.s.monthlyTokenLimit:not_whole_number']);
  });

  for (const field of ['metrics', 'technicalSpecs', 'sample'] as const) {
    it(`${field}: a JSON object of at most 1024 characters`, () => {
      // {"k":"…"} is 8 characters around the value
      expect(broken((b) => (b[field] = { k: 'x'.repeat(1016) }))).toEqual([]);
      expect(broken((b) => (b[field] = { k: 'x'.repeat(1017) }))).toEqual([`${field}:json_too_long`]);
      expect(broken((b) => (b[field] = 'text'))).toEqual([`${field}:not_object`]);
      expect(broken((b) => (b[field] = [1, 2]))).toEqual([`${field}:not_object`]);
      expect(broken((b) => delete b[field])).toEqual([`${field}:required`]);
    });
  }

  it('relationship: root | derived | fine-tuned', () => {
    expect(broken((b) => (b.relationship = 'forked'))).toEqual(['relationship:bad_relationship']);
    expect(broken((b) => delete b.relationship)).toEqual(['relationship:required']);
  });

  it('parentModelPDA: required unless root, absent for a root, a valid address', () => {
    expect(broken((b) => delete b.parentModelPDA, derived)).toEqual(['parentModelPDA:parent_required']);
    expect(broken((b) => ((b.relationship = 'fine-tuned'), delete b.parentModelPDA), derived)).toEqual(['parentModelPDA:parent_required']);
    expect(broken((b) => (b.parentModelPDA = PARENT))).toEqual(['parentModelPDA:parent_not_allowed']);
    expect(broken((b) => (b.parentModelPDA = 'nope'), derived)).toEqual(['parentModelPDA:bad_address']);
  });

  it('anything that is not an object is every required field missing, without throwing', () => {
    for (const x of [null, undefined, 'x', 3, []]) expect(registerModelProblems(x).length).toBeGreaterThanOrEqual(17);
  });

  it('problems read as English sentences for the CLI', () => {
    const [p] = registerModelProblems({ ...root(), name: 'x'.repeat(70) });
    expect(registerProblemText(p!)).toBe('name is longer than 64 characters (70)');
  });
});

describe('base58 addresses', () => {
  it('agree with web3.js PublicKey for random keys, PDAs and leading zeros', () => {
    const keys = [Keypair.generate().publicKey, PublicKey.default, new PublicKey(new Uint8Array(32).fill(0).map((_, i) => (i < 3 ? 0 : i)))];
    keys.push(PublicKey.findProgramAddressSync([Buffer.from('model')], Keypair.generate().publicKey)[0]);
    for (const k of keys) {
      const s = k.toBase58();
      expect(isSolanaAddress(s)).toBe(true);
      expect(Buffer.from(base58Decode(s)!)).toEqual(k.toBuffer());
      expect(base58Encode(k.toBytes())).toBe(s);
    }
    const secret = Keypair.generate().secretKey;
    expect(Buffer.from(base58Decode(base58Encode(secret))!)).toEqual(Buffer.from(secret));
    expect(isSolanaAddress('11111111111111111111111111111111')).toBe(true);
    expect(isSolanaAddress('I1111111111111111111111111111111')).toBe(false);
  });
});
