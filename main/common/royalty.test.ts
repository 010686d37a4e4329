import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CIRCULAR_REFERENCE,
  distributeOverTrace,
  distributeRoyalty,
  LAMPORTS_PER_SOL,
  lamportsToJson,
  lamportsToSol,
  type LineageModel,
  maxDepthExceeded,
  parentNotFound,
  parseLamports,
  RoyaltyError,
  toSeedDistribution,
  traceLineage,
} from './royalty';

// main/common is type-checked with the renderer's libs too (no Node types): read the env through globalThis
const RUNS = Number((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.KRAKEN_PROPERTY_RUNS ?? 1000);
const SOL = LAMPORTS_PER_SOL;
// the seed's two wallets
const BASE_DEV = 'Ctsc4RLun5Rrv8pLSidD8cpYKWWdsT1sNUqpA7rv4YLN';
const MED_DEV = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PwtSwkZ';
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const wallet = (i: number) => `${'2'.repeat(29)}${B58[i % 58]}${B58[Math.floor(i / 58) % 58]}W`;

function thrown(fn: () => unknown): RoyaltyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RoyaltyError);
    return e as RoyaltyError;
  }
  throw new Error('expected a RoyaltyError');
}

describe('distributeRoyalty — the seed', () => {
  it("reproduces the seed's worked example exactly: 100 SOL, 500 bps, one parent", () => {
    const d = distributeRoyalty({ totalLamports: 100n * SOL, platformFeeBps: 500, lineage: [{ developer: BASE_DEV }], developer: MED_DEV });
    expect(d.platformFee).toBe(5n * SOL);
    expect(d.remainingAfterPlatformFee).toBe(95n * SOL);
    expect(d.distributions).toEqual([
      { recipient: MED_DEV, amount: 92_625_000_000n, role: 'current_model_developer', percentage: 97.5 },
      { recipient: BASE_DEV, amount: 2_375_000_000n, role: 'parent_model_developer', depth: 1, percentage: 2.5 },
    ]);
  });

  it("serialises to the seed's distribution JSON, field for field", () => {
    const d = distributeRoyalty({ totalLamports: 100_000_000_000n, lineage: [{ developer: BASE_DEV }], developer: MED_DEV });
    expect(JSON.parse(JSON.stringify(toSeedDistribution(d)))).toEqual({
      totalAmount: 100000000000,
      platformFee: 5000000000,
      remainingAfterPlatformFee: 95000000000,
      distributions: [
        { recipient: MED_DEV, amount: 92625000000, role: 'current_model_developer', percentage: 97.5 },
        { recipient: BASE_DEV, amount: 2375000000, role: 'parent_model_developer', depth: 1, percentage: 2.5 },
      ],
      platformFeePercentage: 5,
      royaltyPercentagePerParent: 2.5,
    });
  });

  it('defaults to 500 bps and gives a root model everything after the fee', () => {
    const d = distributeRoyalty({ totalLamports: 1_000_001n, lineage: [], developer: MED_DEV });
    expect(d.platformFee).toBe(50_000n);
    expect(d.distributions).toEqual([{ recipient: MED_DEV, amount: 950_001n, role: 'current_model_developer', percentage: 100 }]);
  });

  it('rounds every share down and gives the dust to the developer', () => {
    // 23 lamports: fee floor(1.15) = 1, remaining 22, each parent floor(0.55) = 0
    const d = distributeRoyalty({ totalLamports: 23n, lineage: [{ developer: BASE_DEV }, { developer: wallet(2) }], developer: MED_DEV });
    expect([d.platformFee, d.distributions[0]!.amount, d.distributions[1]!.amount, d.distributions[2]!.amount]).toEqual([1n, 22n, 0n, 0n]);
  });

  it('keeps amounts past 2^53 lamports exact (bigint inside, strings in JSON)', () => {
    const total = 2n ** 60n + 7n;
    const d = distributeRoyalty({ totalLamports: total, lineage: [{ developer: BASE_DEV }], developer: MED_DEV });
    expect(d.platformFee).toBe((total * 500n) / 10_000n);
    const json = toSeedDistribution(d);
    expect(json.totalAmount).toBe(total.toString());
    expect(parseLamports(json.totalAmount)).toBe(total);
    expect(lamportsToJson(5n)).toBe(5);
  });
});

describe('distributeRoyalty — refusals', () => {
  const base = { totalLamports: 1000n, lineage: [], developer: MED_DEV };
  it.each([-1, 10_001, 1.5, Number.NaN])('refuses platformFeeBps %s', (bps) => {
    expect(thrown(() => distributeRoyalty({ ...base, platformFeeBps: bps })).code).toBe('invalid_bps');
  });
  it('accepts the bounds 0 and 10 000 bps', () => {
    expect(distributeRoyalty({ ...base, platformFeeBps: 0 }).platformFee).toBe(0n);
    expect(distributeRoyalty({ ...base, platformFeeBps: 10_000 }).platformFee).toBe(1000n);
  });
  it('refuses 33 ancestors with the seed\'s sentence', () => {
    const lineage = Array.from({ length: 33 }, (_, i) => ({ developer: wallet(i) }));
    const e = thrown(() => distributeRoyalty({ ...base, lineage }));
    expect(e.code).toBe('max_depth');
    expect(e.message).toBe('Max depth exceeded: 33 (max: 32)');
  });
  it('accepts exactly 32 ancestors', () => {
    const lineage = Array.from({ length: 32 }, (_, i) => ({ developer: wallet(i) }));
    expect(distributeRoyalty({ ...base, lineage }).distributions).toHaveLength(33);
  });
  it('refuses a negative or non-bigint total', () => {
    expect(thrown(() => distributeRoyalty({ ...base, totalLamports: -1n })).code).toBe('invalid_total');
    expect(thrown(() => distributeRoyalty({ ...base, totalLamports: 5 as unknown as bigint })).code).toBe('invalid_total');
  });
  it('refuses a developer or ancestor that is not a base58 key', () => {
    expect(thrown(() => distributeRoyalty({ ...base, developer: 'not-a-key' })).code).toBe('invalid_address');
    const e = thrown(() => distributeRoyalty({ ...base, lineage: [{ developer: BASE_DEV }, { developer: '0OIl' }] }));
    expect(e.params.depth).toBe(2);
  });
});

describe('distributeRoyalty — properties', () => {
  const input = fc.record({
    total: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.bigInt({ min: 1n, max: 2n ** 70n })),
    bps: fc.integer({ min: 0, max: 10_000 }),
    depth: fc.integer({ min: 0, max: 32 }),
  });

  it('the parts add up to the total, none is negative, each ancestor gets floor(remaining × 25 / 1000)', () => {
    fc.assert(
      fc.property(input, ({ total, bps, depth }) => {
        const lineage = Array.from({ length: depth }, (_, i) => ({ developer: wallet(i) }));
        const d = distributeRoyalty({ totalLamports: total, platformFeeBps: bps, lineage, developer: MED_DEV });
        const fee = (total * BigInt(bps)) / 10_000n;
        const remaining = total - fee;
        expect(d.totalAmount).toBe(total);
        expect(d.platformFee).toBe(fee);
        expect(d.remainingAfterPlatformFee).toBe(remaining);
        expect(d.distributions).toHaveLength(depth + 1);
        const sum = d.distributions.reduce((s, x) => s + x.amount, 0n);
        expect(d.platformFee + sum).toBe(total);
        for (const x of d.distributions) expect(x.amount >= 0n).toBe(true);
        d.distributions.slice(1).forEach((x, i) => {
          expect(x.amount).toBe((remaining * 25n) / 1000n);
          expect(x.depth).toBe(i + 1);
          expect(x.role).toBe('parent_model_developer');
        });
        expect(d.distributions[0]!.role).toBe('current_model_developer');
        expect(d.distributions[0]!.percentage).toBe(100 - 2.5 * depth);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses any bps outside 0…10 000 and any depth over 32', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 10_001 })), fc.integer({ min: 33, max: 64 }), (bps, depth) => {
        expect(thrown(() => distributeRoyalty({ totalLamports: 1n, platformFeeBps: bps, lineage: [], developer: MED_DEV })).code).toBe('invalid_bps');
        const lineage = Array.from({ length: depth }, (_, i) => ({ developer: wallet(i) }));
        expect(thrown(() => distributeRoyalty({ totalLamports: 1n, lineage, developer: MED_DEV })).message).toBe(maxDepthExceeded(depth));
      }),
      { numRuns: Math.min(RUNS, 200) },
    );
  });
});

describe('traceLineage', () => {
  const chain = (n: number, loopTo?: number): Map<string, LineageModel> => {
    const m = new Map<string, LineageModel>();
    for (let i = 0; i < n; i++) m.set(`pda${i}`, { modelPDA: `pda${i}`, modelName: `m${i}`, developerWallet: wallet(i), parentPDA: i + 1 < n ? `pda${i + 1}` : loopTo !== undefined ? `pda${loopTo}` : null });
    return m;
  };

  it("gives the seed's lineageTrace for a model with one parent", async () => {
    const models = new Map<string, LineageModel>([
      ['med', { modelPDA: 'med', modelName: 'GPT-4-Medical-Specialized', developerWallet: MED_DEV, parentPDA: 'base' }],
      ['base', { modelPDA: 'base', modelName: 'GPT-4-Base-Model', developerWallet: BASE_DEV, parentPDA: null }],
    ]);
    const t = await traceLineage('med', (p) => models.get(p));
    expect(t).toEqual({
      totalDepth: 2,
      isValid: true,
      violations: [],
      lineage: [
        { modelPDA: 'med', modelName: 'GPT-4-Medical-Specialized', developerWallet: MED_DEV, depth: 0, parentPDA: 'base' },
        { modelPDA: 'base', modelName: 'GPT-4-Base-Model', developerWallet: BASE_DEV, depth: 1, parentPDA: null },
      ],
    });
    const d = distributeOverTrace(t!, 100n * SOL);
    expect(d.distributions.map((x) => x.amount)).toEqual([92_625_000_000n, 2_375_000_000n]);
  });

  it('detects a cycle with the seed\'s sentence', async () => {
    const m = chain(3, 0);
    const t = (await traceLineage('pda0', (p) => m.get(p)))!;
    expect(t.isValid).toBe(false);
    expect(t.violations).toEqual([CIRCULAR_REFERENCE]);
    expect(t.violations[0]).toBe('Circular reference detected in lineage');
    expect(() => distributeOverTrace(t, 1n)).toThrow(RoyaltyError);
  });

  it('detects a model that is its own parent', async () => {
    const m = chain(1, 0);
    expect((await traceLineage('pda0', (p) => m.get(p)))!.violations).toEqual([CIRCULAR_REFERENCE]);
  });

  it('accepts 32 ancestors and refuses 33 with the seed\'s sentence', async () => {
    const ok = chain(33);
    const t32 = (await traceLineage('pda0', async (p) => ok.get(p)))!;
    expect(t32.isValid).toBe(true);
    expect(t32.totalDepth).toBe(33);
    const bad = chain(34);
    const t33 = (await traceLineage('pda0', (p) => bad.get(p)))!;
    expect(t33.isValid).toBe(false);
    expect(t33.violations).toEqual(['Max depth exceeded: 33 (max: 32)']);
  });

  it('reports an unknown parent and answers null for an unknown model', async () => {
    const m = new Map<string, LineageModel>([['a', { modelPDA: 'a', modelName: 'a', developerWallet: MED_DEV, parentPDA: 'ghost' }]]);
    expect((await traceLineage('a', (p) => m.get(p)))!.violations).toEqual([parentNotFound('ghost')]);
    expect(await traceLineage('nobody', (p) => m.get(p))).toBeNull();
  });
});

describe('lamport helpers', () => {
  it('converts lamports to SOL as the seed writes totalSOL', () => {
    expect(lamportsToSol(100_000_000_000n)).toBe(100);
    expect(lamportsToSol(23n)).toBe(0.000000023);
    expect(lamportsToSol(1_000_000n)).toBe(0.001);
  });
  it('parses lamports from numbers and digit strings only', () => {
    expect(parseLamports(12)).toBe(12n);
    expect(parseLamports('123456789012345678901')).toBe(123456789012345678901n);
    for (const bad of [1.5, '1e9', '', null, Number.MAX_SAFE_INTEGER + 2]) expect(() => parseLamports(bad)).toThrow(RangeError);
  });
});
