import { describe, expect, it } from 'vitest';
import { parseLamports, short, sol } from './format';

describe('wallet formatting', () => {
  it('shows lamports as exact SOL', () => {
    expect(sol(92_625_000_000)).toBe('92.625');
    expect(sol(2_375_000_000)).toBe('2.375');
    expect(sol(1)).toBe('0.000000001');
    expect(sol(-5_000)).toBe('-0.000005');
    expect(sol(0)).toBe('0');
  });
  it('shortens addresses and reads whole lamports only', () => {
    expect(short('9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PwtSwkZ')).toBe('9xQe…SwkZ');
    expect(parseLamports(' 100 ')).toBe(100);
    expect(parseLamports('1.5')).toBeNull();
    expect(parseLamports('-1')).toBeNull();
    expect(parseLamports(String(2 ** 53))).toBeNull();
  });
});
