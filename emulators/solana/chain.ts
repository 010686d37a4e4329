/**
 * The chain under the Solana emulator: a litesvm VM (real SystemProgram, real signatures, real balances and rent)
 * with what a cluster adds around it — slots, a window of recent blockhashes, a transaction log with the raw wire
 * bytes and the balances before and after (litesvm keeps neither in a form an RPC can answer), a faucet, and a
 * snapshot of the VM shortly after every burst of changes (and on close) so balances survive a restart.
 *
 * litesvm has no Windows binary: `loadLiteSvm()` answers why it cannot load instead of throwing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Keypair, PublicKey, SystemProgram, Transaction, VersionedTransaction, type TransactionInstruction } from '@solana/web3.js';
import { getBase58Decoder, getBase58Encoder, getTransactionDecoder, lamports as kitLamports } from '@solana/kit';
import type { Clock } from '../base/clock';
import type { SolanaStore, TxRow } from './store';

type LiteSvmModule = typeof import('litesvm');

let loaded: { svm: LiteSvmModule } | null = null;

/** Bytes → base58 (signatures, hashes). */
export const toBase58 = (bytes: Uint8Array): string => getBase58Decoder().decode(bytes);
/** base58 → bytes; throws on a character outside the alphabet. */
export const fromBase58 = (s: string): Uint8Array => new Uint8Array(getBase58Encoder().encode(s));
let loadError: string | null = null;

/**
 * Loads litesvm once, synchronously (so a test file can decide to skip at collection time, without a top-level
 * await); null when it loaded, else the reason it cannot (e.g. no binary for this platform).
 */
export function loadLiteSvm(): string | null {
  if (loaded) return null;
  if (loadError) return loadError;
  try {
    const svm = require('litesvm') as LiteSvmModule;
    // touch the native binding now, so a missing binary is reported here and not mid-request
    new svm.LiteSVM();
    loaded = { svm };
    return null;
  } catch (e) {
    loadError = `litesvm cannot load on ${process.platform}-${process.arch} (it ships no Windows binary): ${(e as Error).message.split('\n')[0]}`;
    return loadError;
  }
}

export const LAMPORTS_PER_SIGNATURE = 5000n;
/** How many recent blockhashes a transaction may name (as on a real cluster: 150 blocks). */
export const BLOCKHASH_WINDOW = 150;
/** The VM snapshot is written this long after the last change (a burst of transactions writes it once). */
const SNAPSHOT_DELAY_MS = 50;
// below 2^53 together, so every balance the RPC writes as a JSON number is exact
const FAUCET_LAMPORTS = 4n * 10n ** 15n; // 4 million SOL
const OPERATOR_LAMPORTS = 10n ** 15n;

const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const keyObjects = new WeakMap<Keypair, crypto.KeyObject>();
function ed25519Key(k: Keypair): crypto.KeyObject {
  let o = keyObjects.get(k);
  if (!o) {
    o = crypto.createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, Buffer.from(k.secretKey.subarray(0, 32))]), format: 'der', type: 'pkcs8' });
    keyObjects.set(k, o);
  }
  return o;
}

/** A keypair from a fixed label: the same addresses on every start, documented in CONTRACT.md. */
export function fixedKeypair(label: string): Keypair {
  return Keypair.fromSeed(crypto.createHash('sha256').update(`kraken-solana-emulator/${label}`).digest());
}

const TX_ERRORS = [
  'AccountInUse', 'AccountLoadedTwice', 'AccountNotFound', 'ProgramAccountNotFound', 'InsufficientFundsForFee', 'InvalidAccountForFee',
  'AlreadyProcessed', 'BlockhashNotFound', 'CallChainTooDeep', 'MissingSignatureForFee', 'InvalidAccountIndex', 'SignatureFailure',
  'InvalidProgramForExecution', 'SanitizeFailure', 'ClusterMaintenance', 'AccountBorrowOutstanding', 'WouldExceedMaxBlockCostLimit',
  'UnsupportedVersion', 'InvalidWritableAccount', 'WouldExceedMaxAccountCostLimit', 'WouldExceedAccountDataBlockLimit', 'TooManyAccountLocks',
  'AddressLookupTableNotFound', 'InvalidAddressLookupTableOwner', 'InvalidAddressLookupTableData', 'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount', 'WouldExceedMaxVoteCostLimit', 'WouldExceedAccountDataTotalLimit', 'MaxLoadedAccountsDataSizeExceeded',
  'ResanitizationNeeded', 'InvalidLoadedAccountsDataSizeLimit', 'UnbalancedTransaction', 'ProgramCacheHitMaxLimit', 'CommitCancelled',
];
const IX_ERRORS = [
  'GenericError', 'InvalidArgument', 'InvalidInstructionData', 'InvalidAccountData', 'AccountDataTooSmall', 'InsufficientFunds', 'IncorrectProgramId',
  'MissingRequiredSignature', 'AccountAlreadyInitialized', 'UninitializedAccount', 'UnbalancedInstruction', 'ModifiedProgramId',
  'ExternalAccountLamportSpend', 'ExternalAccountDataModified', 'ReadonlyLamportChange', 'ReadonlyDataModified', 'DuplicateAccountIndex',
  'ExecutableModified', 'RentEpochModified', 'NotEnoughAccountKeys', 'AccountDataSizeChanged', 'AccountNotExecutable', 'AccountBorrowFailed',
  'AccountBorrowOutstanding', 'DuplicateAccountOutOfSync', 'InvalidError', 'ExecutableDataModified', 'ExecutableLamportChange',
  'ExecutableAccountNotRentExempt', 'UnsupportedProgramId', 'CallDepth', 'MissingAccount', 'ReentrancyNotAllowed', 'MaxSeedLengthExceeded',
  'InvalidSeeds', 'InvalidRealloc', 'ComputationalBudgetExceeded', 'PrivilegeEscalation', 'ProgramEnvironmentSetupFailure',
  'ProgramFailedToComplete', 'ProgramFailedToCompile', 'Immutable', 'IncorrectAuthority', 'AccountNotRentExempt', 'InvalidAccountOwner',
  'ArithmeticOverflow', 'UnsupportedSysvar', 'IllegalOwner', 'MaxAccountsDataAllocationsExceeded', 'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded', 'BuiltinProgramsMustConsumeComputeUnits', 'BorshIoError',
];

/** A litesvm error object as the Solana RPC writes it in JSON (`"BlockhashNotFound"`, `{"InstructionError":[0,{"Custom":1}]}`). */
export function errorJson(err: unknown): unknown {
  if (typeof err === 'number') return TX_ERRORS[err] ?? `TransactionError${err}`;
  const o = err as { constructor?: { name?: string }; index?: number; accountIndex?: number; err?: () => unknown };
  const name = o?.constructor?.name ?? '';
  if (name.endsWith('InstructionError') && typeof o.err === 'function') {
    const inner = o.err() as unknown;
    let ix: unknown;
    if (typeof inner === 'number') ix = IX_ERRORS[inner] ?? `InstructionError${inner}`;
    else if (inner && typeof (inner as { code?: unknown }).code === 'number') ix = { Custom: (inner as { code: number }).code };
    else if (inner && typeof (inner as { msg?: unknown }).msg === 'string') ix = { BorshIoError: (inner as { msg: string }).msg };
    else ix = String(inner);
    return { InstructionError: [o.index, ix] };
  }
  if (name.endsWith('InsufficientFundsForRent')) return { InsufficientFundsForRent: { account_index: o.accountIndex } };
  if (name.endsWith('ProgramExecutionTemporarilyRestricted')) return { ProgramExecutionTemporarilyRestricted: { account_index: o.accountIndex } };
  if (name.endsWith('DuplicateInstruction')) return { DuplicateInstruction: o.index };
  return String(err);
}

/** The RPC's sentence for a failed simulation (as solana-test-validator words the common ones). */
export function errorSentence(err: unknown): string {
  if (typeof err === 'string') {
    const words: Record<string, string> = {
      BlockhashNotFound: 'Blockhash not found',
      AlreadyProcessed: 'This transaction has already been processed',
      AccountNotFound: 'Attempt to debit an account but found no record of a prior credit.',
      InsufficientFundsForFee: 'Insufficient funds for fee',
      SignatureFailure: 'Transaction did not pass signature verification',
    };
    return words[err] ?? err;
  }
  const o = err as { InstructionError?: [number, unknown]; InsufficientFundsForRent?: { account_index: number } };
  if (o?.InstructionError) {
    const [i, ix] = o.InstructionError;
    const custom = (ix as { Custom?: number })?.Custom;
    return `Error processing Instruction ${i}: ${custom !== undefined ? `custom program error: 0x${custom.toString(16)}` : typeof ix === 'string' ? ix : JSON.stringify(ix)}`;
  }
  if (o?.InsufficientFundsForRent) return `Transaction results in an account (${o.InsufficientFundsForRent.account_index}) with insufficient funds for rent`;
  return JSON.stringify(err);
}

/** Refused before it landed (bad blockhash, failed preflight, duplicate…): nothing was recorded or charged. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly err: unknown,
    readonly logs: string[] = [],
  ) {
    super(message);
  }
}

export interface SendOptions {
  /** Run the transaction in simulation first and refuse it if it would fail (the RPC's default). */
  preflight?: boolean;
}

/** One SystemProgram Transfer instruction found in a transaction. */
export interface FoundTransfer {
  from: string;
  to: string;
  lamports: bigint;
}

export const SYSTEM_PROGRAM = SystemProgram.programId.toBase58();

/** The SystemProgram Transfer instructions of a transaction's wire bytes (instruction 2: u32 2, u64 lamports). */
export function transfersOf(raw: Uint8Array): FoundTransfer[] {
  const tx = VersionedTransaction.deserialize(raw);
  const keys = tx.message.staticAccountKeys.map((k) => k.toBase58());
  const out: FoundTransfer[] = [];
  for (const ix of tx.message.compiledInstructions) {
    if (keys[ix.programIdIndex] !== SYSTEM_PROGRAM) continue;
    const d = Buffer.from(ix.data);
    if (d.length !== 12 || d.readUInt32LE(0) !== 2 || ix.accountKeyIndexes.length < 2) continue;
    out.push({ from: keys[ix.accountKeyIndexes[0]!]!, to: keys[ix.accountKeyIndexes[1]!]!, lamports: d.readBigUInt64LE(4) });
  }
  return out;
}

export interface ChainOptions {
  store: SolanaStore;
  clock: Clock;
  /** Where the VM snapshot lives (written 50 ms after a burst of changes and on close, loaded on start); null: never persisted. */
  snapshotFile: string | null;
  log?: (line: string) => void;
}

export class Chain {
  readonly faucet = fixedKeypair('faucet');
  readonly operator = fixedKeypair('operator');
  readonly treasury = fixedKeypair('treasury');
  private vm!: InstanceType<LiteSvmModule['LiteSVM']>;
  private readonly lib: LiteSvmModule;
  private slot = 0;
  private hashes: string[] = [];
  private pending: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(sig: string, row: TxRow) => void>();
  /** The snapshot was missing or unreadable at start: the VM began fresh. */
  readonly startedFresh: boolean;

  constructor(private readonly opts: ChainOptions) {
    if (!loaded) throw new Error(loadError ?? 'call loadLiteSvm() before creating a Chain');
    this.lib = loaded.svm;
    const s = opts.store;
    this.slot = Number(s.meta('slot') ?? 0);
    this.hashes = JSON.parse(s.meta('blockhashes') ?? '[]') as string[];
    let fresh = true;
    if (opts.snapshotFile && fs.existsSync(opts.snapshotFile)) {
      try {
        this.vm = this.lib.LiteSVM.fromBytes(fs.readFileSync(opts.snapshotFile));
        this.vm.withBlockhashCheck(false);
        fresh = false;
      } catch (e) {
        opts.log?.(`solana emulator: the VM snapshot ${opts.snapshotFile} cannot be read (${(e as Error).message}); starting a fresh VM (balances are lost, models are re-created from SQLite)`);
      }
    }
    if (fresh) {
      this.vm = new this.lib.LiteSVM().withBlockhashCheck(false).withTransactionHistory(0n);
      // the emulator's own accounts are written directly (litesvm's built-in airdrop account holds too little)
      const open = (k: Keypair, lamports: bigint) =>
        this.vm.setAccount({ address: this.addr(k.publicKey.toBase58()), lamports: kitLamports(lamports), data: new Uint8Array(0), programAddress: this.addr(SYSTEM_PROGRAM), executable: false, space: 0n } as Parameters<InstanceType<LiteSvmModule['LiteSVM']>['setAccount']>[0]);
      open(this.faucet, FAUCET_LAMPORTS);
      open(this.operator, OPERATOR_LAMPORTS);
      // the treasury is opened rent-exempt, so it may keep any platform fee, however small
      open(this.treasury, this.vm.minimumBalanceForRentExemption(0n));
    }
    this.startedFresh = fresh;
    if (!this.hashes.length) this.newBlock(false);
  }

  private addr(a: string) {
    return a as Parameters<InstanceType<LiteSvmModule['LiteSVM']>['getBalance']>[0];
  }

  get currentSlot(): number {
    return this.slot;
  }

  get latestBlockhash(): { blockhash: string; lastValidBlockHeight: number } {
    return { blockhash: this.hashes[this.hashes.length - 1]!, lastValidBlockHeight: this.slot + BLOCKHASH_WINDOW };
  }

  isBlockhashValid(h: string): boolean {
    return this.hashes.includes(h);
  }

  /** Lamports of `address` (0 when it has no account). */
  balance(address: string): bigint {
    return this.vm.getBalance(this.addr(address)) ?? 0n;
  }

  account(address: string): { lamports: bigint; data: Uint8Array; owner: string; executable: boolean } | null {
    const a = this.vm.getAccount(this.addr(address));
    if (!a.exists) return null;
    return { lamports: BigInt(a.lamports), data: a.data, owner: a.programAddress, executable: a.executable };
  }

  rentExempt(dataLen: number): bigint {
    return this.vm.minimumBalanceForRentExemption(BigInt(dataLen));
  }

  /** Writes an account directly (the model records: the registry program is not deployed, see CONTRACT.md). */
  setAccount(address: string, a: { lamports: bigint; data: Uint8Array; owner: string }): void {
    this.vm.setAccount({
      address: this.addr(address),
      lamports: kitLamports(a.lamports),
      data: a.data,
      programAddress: this.addr(a.owner),
      executable: false,
      space: BigInt(a.data.length),
    } as Parameters<InstanceType<LiteSvmModule['LiteSVM']>['setAccount']>[0]);
    this.snapshot();
  }

  onTransaction(fn: (sig: string, row: TxRow) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A new slot and blockhash (after every landed transaction, so the next one signs over a fresh hash). */
  private newBlock(save = true): void {
    if (this.hashes.length) this.slot += 1;
    const prev = this.hashes[this.hashes.length - 1] ?? 'genesis';
    this.hashes.push(toBase58(crypto.createHash('sha256').update(`${prev}/${this.slot}`).digest()));
    if (this.hashes.length > BLOCKHASH_WINDOW) this.hashes.splice(0, this.hashes.length - BLOCKHASH_WINDOW);
    this.opts.store.setMeta('slot', String(this.slot));
    this.opts.store.setMeta('blockhashes', JSON.stringify(this.hashes));
    if (save) this.snapshot();
  }

  /** Marks the VM changed: the snapshot is written once the current burst of changes is over (and on flush). */
  private snapshot(): void {
    if (!this.opts.snapshotFile || this.pending) return;
    this.pending = setTimeout(() => {
      try {
        this.flush();
      } catch (e) {
        this.opts.log?.(`solana emulator: the VM snapshot could not be written: ${(e as Error).message}`);
      }
    }, SNAPSHOT_DELAY_MS);
    this.pending.unref();
  }

  /**
   * Sends a signed transaction's wire bytes. Throws SendError when it does not land (blockhash unknown, already
   * processed, bad signature, no fee payer, or — with preflight — it would fail). A transaction that lands and
   * fails (skipPreflight) is recorded with its error and its fee charged, as on a real cluster.
   */
  send(raw: Uint8Array, options: SendOptions = {}): TxRow {
    let tx: VersionedTransaction;
    try {
      tx = VersionedTransaction.deserialize(raw);
    } catch (e) {
      throw new SendError(`failed to deserialize transaction: ${(e as Error).message}`, 'SanitizeFailure');
    }
    if ('addressTableLookups' in tx.message && tx.message.addressTableLookups.length) throw new SendError('address lookup tables are not supported by the emulator', 'AddressLookupTableNotFound');
    const sig = toBase58(tx.signatures[0]!);
    if (this.opts.store.tx(sig)) throw new SendError(errorSentence('AlreadyProcessed'), 'AlreadyProcessed');
    if (!this.isBlockhashValid(tx.message.recentBlockhash)) throw new SendError(errorSentence('BlockhashNotFound'), 'BlockhashNotFound');
    const keys = tx.message.staticAccountKeys.map((k) => k.toBase58());
    const ktx = getTransactionDecoder().decode(raw);
    if (options.preflight !== false) {
      const sim = this.vm.simulateTransaction(ktx);
      if (sim instanceof this.lib.FailedTransactionMetadata) {
        const err = errorJson(sim.err());
        throw new SendError(`Transaction simulation failed: ${errorSentence(err)}`, err, sim.meta().logs());
      }
    }
    const pre = keys.map((k) => this.balance(k));
    const result = this.vm.sendTransaction(ktx);
    const post = keys.map((k) => this.balance(k));
    const failed = result instanceof this.lib.FailedTransactionMetadata;
    const meta = failed ? result.meta() : result;
    const err = failed ? errorJson(result.err()) : null;
    // a failure before execution (signature, fee payer, sanitising) charges nothing and never lands
    if (failed && post[0]! >= pre[0]!) throw new SendError(`Transaction simulation failed: ${errorSentence(err)}`, err, meta.logs());
    const row: TxRow = {
      signature: sig,
      slot: this.slot,
      block_time: Math.floor(this.opts.clock.now() / 1000),
      raw: Buffer.from(raw),
      err: err === null ? null : JSON.stringify(err),
      fee: String(LAMPORTS_PER_SIGNATURE * BigInt(tx.message.header.numRequiredSignatures)),
      pre_balances: JSON.stringify(pre.map(String)),
      post_balances: JSON.stringify(post.map(String)),
      logs: JSON.stringify(meta.logs()),
      compute_units: Number(meta.computeUnitsConsumed()),
      account_keys: JSON.stringify(keys),
    };
    this.opts.store.insertTx(row, keys);
    this.newBlock();
    for (const l of this.listeners) l(sig, row);
    return row;
  }

  /** Builds, signs (fee payer first) and sends a legacy transaction of `instructions`. */
  sendInstructions(instructions: TransactionInstruction[], signers: Keypair[], options: SendOptions = {}): TxRow {
    const tx = new Transaction({ feePayer: signers[0]!.publicKey, recentBlockhash: this.latestBlockhash.blockhash });
    tx.add(...instructions);
    // node:crypto's native ed25519 (web3.js signs and re-verifies in JavaScript, tens of ms on a busy machine)
    const message = tx.serializeMessage();
    for (const k of signers) tx.addSignature(k.publicKey, crypto.sign(null, message, ed25519Key(k)));
    return this.send(tx.serialize({ verifySignatures: false }), options);
  }

  /** A real transfer from the faucet (the RPC's requestAirdrop, the admin airdrop). */
  airdrop(address: string, lamports: bigint): TxRow {
    if (lamports <= 0n) throw new SendError('airdrop amount must be at least 1 lamport', 'InvalidArgument');
    return this.sendInstructions([SystemProgram.transfer({ fromPubkey: this.faucet.publicKey, toPubkey: new PublicKey(address), lamports })], [this.faucet]);
  }

  /** Simulates wire bytes (the RPC's simulateTransaction). */
  simulate(raw: Uint8Array): { err: unknown; logs: string[]; unitsConsumed: number } {
    const ktx = getTransactionDecoder().decode(raw);
    const sim = this.vm.simulateTransaction(ktx);
    if (sim instanceof this.lib.FailedTransactionMetadata) return { err: errorJson(sim.err()), logs: sim.meta().logs(), unitsConsumed: Number(sim.meta().computeUnitsConsumed()) };
    return { err: null, logs: sim.meta().logs(), unitsConsumed: Number(sim.meta().computeUnitsConsumed()) };
  }

  /** Writes the VM snapshot now (temp file + rename, so a crash never leaves half a snapshot). */
  flush(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    const f = this.opts.snapshotFile;
    if (!f) return;
    const tmp = `${f}.tmp`;
    fs.writeFileSync(tmp, this.vm.toBytes());
    fs.renameSync(tmp, f);
  }
}
