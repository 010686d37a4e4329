/**
 * The on-chain model registry (seed 002 §1): a register-model body drafted from a library model (manifest and, for
 * cloud-trained models, its lineage), every field checked against the seed before it is sent, the returned PDA and
 * transaction stored with the local model (registered_models), and the lineage of registered models traced with the
 * one royalty module's `traceLineage` (its cycle and depth sentences are the seed's).
 */
import os from 'node:os';
import { AppError } from '../../../common/app-error';
import { say } from '../../../common/messages';
import {
  registerModelProblems,
  registerProblemText,
  RegisterModelBody,
  type LineageTrace,
  type LineageTreeNode,
  type ModelManifest,
  type RegisteredModel,
  type RegisterProblem,
  type Relationship,
} from '../../../common/contract';
import { traceLineage, parentNotFound, type LineageModel } from '../../../common/royalty';
import type { Db } from '../../store/database';
import type { ConnectionSettings } from '../connection';
import type { HttpClientOptions } from '../http-client';
import { SolanaBackendApi } from './backend-api';

interface Row {
  id: number;
  api_base_url: string;
  model_pda: string;
  parent_pda: string | null;
  local_model_id: string | null;
  relationship: Relationship;
  name: string;
  version_name: string;
  wallet_address: string;
  pricing_json: string;
  request_json: string;
  transaction_hash: string;
  registered_at: string;
}

function toModel(r: Row): RegisteredModel {
  return {
    modelPda: r.model_pda,
    parentPda: r.parent_pda,
    localModelId: r.local_model_id,
    relationship: r.relationship,
    name: r.name,
    versionName: r.version_name,
    walletAddress: r.wallet_address,
    pricing: JSON.parse(r.pricing_json) as RegisteredModel['pricing'],
    transactionHash: r.transaction_hash,
    apiBaseUrl: r.api_base_url,
    registeredAt: r.registered_at,
  };
}

/** How many problems the refusal's sentence names (all are in details.problems). */
const SHOWN = 4;

/** INVALID_INPUT for a body that breaks the seed's rules: the sentence names the first few, details carry all. */
export function problemsError(problems: RegisterProblem[]): AppError {
  const shown = problems.slice(0, SHOWN).map(registerProblemText).join('; ');
  const said = problems.length > SHOWN ? say('solana.cannot_register_more', { problems: shown, more: problems.length - SHOWN }) : say('solana.cannot_register', { problems: shown });
  return new AppError('INVALID_INPUT', said, { problems });
}

const MODALITY: Record<string, string> = {
  classification: 'image-classification',
  detection: 'object-detection',
  pose: 'pose-estimation',
  segmentation: 'image-segmentation',
  depth: 'depth-estimation',
  'ocr-det': 'ocr',
  'ocr-rec': 'ocr',
};

function cut(s: string, max: number): string {
  const c = [...s];
  return c.length > max ? c.slice(0, max - 1).join('') + '…' : s;
}

export interface DraftOptions {
  walletAddress?: string | null;
  relationship?: Relationship;
  parentModelPDA?: string;
  /** A paid monthly tier of this many lamports (beside the free research tier). */
  priceLamports?: number;
  uploader?: string;
}

export interface RegistryServiceOptions {
  db: Db;
  connection: ConnectionSettings;
  getModel: (id: string) => Promise<ModelManifest>;
  client?: Partial<Omit<HttpClientOptions, 'service' | 'baseUrl'>>;
}

export class RegistryService {
  constructor(private readonly o: RegistryServiceOptions) {}

  /** The backend address, or INVALID_INPUT saying how to give one. */
  baseUrl(): string {
    const c = this.o.connection.get('solana');
    if (!c.baseUrl) throw new AppError('INVALID_INPUT', say('solana.no_backend_address', {}), { service: 'solana' });
    return c.baseUrl;
  }

  api(): SolanaBackendApi {
    return new SolanaBackendApi(this.baseUrl(), this.o.client);
  }

  /** A register-model body from a library model; the caller (form, CLI flags) may change any field before sending. */
  async draft(localModelId: string, d: DraftOptions = {}): Promise<{ body: RegisterModelBody; problems: RegisterProblem[] }> {
    const m = await this.o.getModel(localModelId);
    const lineage = m.lineage;
    const baseModel = lineage?.baseModel ?? null;
    // A cloud-trained model is fine-tuned from its base; where the base is registered here, it is the parent.
    let parent = d.parentModelPDA;
    if (!parent && baseModel) parent = this.byLocalModel(baseModel)?.modelPda;
    const relationship: Relationship = d.relationship ?? (m.source === 'cloud-trained' || lineage ? 'fine-tuned' : 'root');
    const metrics: Record<string, unknown> = lineage ? { ...lineage.finalMetrics } : {};
    const technicalSpecs: Record<string, unknown> = {
      task: m.task,
      runtime: m.runtime,
      inputSize: m.inputSize ? `${m.inputSize.width}x${m.inputSize.height}` : 'dynamic',
      classes: m.labels.length,
      sizeBytes: m.sizeBytes,
    };
    if (baseModel) technicalSpecs.baseModel = baseModel;
    if (lineage?.workflowId) technicalSpecs.workflowId = lineage.workflowId;
    if (lineage?.datasetId) technicalSpecs.datasetId = lineage.datasetId;
    const pricing: RegisterModelBody['pricing'] = { research: { price: 0, description: 'Free for research', billingType: 'free' } };
    if (d.priceLamports !== undefined && d.priceLamports > 0) {
      pricing.standard = { price: d.priceLamports, description: `${d.priceLamports / 1e9} SOL per month`, billingType: 'monthly_subscription' };
    }
    const body: RegisterModelBody = {
      name: cut(m.name, 64),
      uploader: cut(d.uploader ?? (safeUser() || 'Kraken Studio creator'), 64),
      versionName: '1.0.0',
      modality: MODALITY[m.task] ?? m.task,
      license: [cut(m.licence, 256)],
      walletAddress: d.walletAddress ?? '',
      releaseDate: (m.addedAt ?? new Date().toISOString()).slice(0, 10),
      overview: cut(m.description || `${m.name}: a ${m.task} model (${m.runtime}).`, 1024),
      releaseNotes: cut(lineage ? `Trained on the vision platform (workflow ${lineage.workflowId}${baseModel ? `, from ${baseModel}` : ''}).` : 'Registered from Kraken Studio.', 1024),
      // The studio has no image host or IPFS node: a studio link and the file's sha256 stand for them (CONTRACT-NOTES).
      thumbnail: `kraken://models/${m.id}/thumbnail.png`,
      cidRoot: `sha256:${m.sha256}`,
      encryptionKey: 'none',
      pricing,
      metrics,
      technicalSpecs,
      sample: { input: m.inputs[0]?.name ?? 'image', output: m.labels.slice(0, 3).join(', ') || m.task },
      relationship,
    };
    if (relationship !== 'root' && parent) body.parentModelPDA = parent;
    return { body, problems: registerModelProblems(body) };
  }

  check(body: unknown): RegisterProblem[] {
    return registerModelProblems(body);
  }

  /** Checks every field, sends register-model, stores the PDA and transaction (with the local model when given). */
  async register(req: { body: unknown; localModelId?: string }, signal?: AbortSignal): Promise<RegisteredModel> {
    const problems = registerModelProblems(req.body);
    if (problems.length) throw problemsError(problems);
    const body = RegisterModelBody.parse(req.body);
    if (req.localModelId) await this.o.getModel(req.localModelId); // NOT_FOUND before anything is sent
    const api = this.api();
    const reply = await api.registerModel(body, signal);
    const now = new Date().toISOString();
    // The encryption key is the creator's: it is sent, never kept here.
    const kept = { ...body, encryptionKey: '(not stored)' };
    this.o.db
      .prepare(
        `INSERT INTO registered_models (api_base_url, model_pda, parent_pda, local_model_id, relationship, name, version_name, wallet_address, pricing_json, request_json, transaction_hash, registered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(api_base_url, model_pda) DO UPDATE SET parent_pda = excluded.parent_pda, local_model_id = excluded.local_model_id, relationship = excluded.relationship,
           name = excluded.name, version_name = excluded.version_name, wallet_address = excluded.wallet_address, pricing_json = excluded.pricing_json,
           request_json = excluded.request_json, transaction_hash = excluded.transaction_hash, registered_at = excluded.registered_at`,
      )
      .run(
        api.baseUrl,
        reply.data.modelAccountPDA,
        body.relationship === 'root' ? null : (body.parentModelPDA ?? reply.data.parentModelPDA ?? null),
        req.localModelId ?? null,
        body.relationship,
        body.name,
        body.versionName,
        body.walletAddress,
        JSON.stringify(body.pricing),
        JSON.stringify(kept),
        reply.transactionHash,
        now,
      );
    return this.get(reply.data.modelAccountPDA, api.baseUrl)!;
  }

  private rows(): Row[] {
    const c = this.o.connection.get('solana');
    if (!c.baseUrl) return this.o.db.prepare(`SELECT * FROM registered_models ORDER BY registered_at DESC, id DESC`).all() as Row[];
    return this.o.db.prepare(`SELECT * FROM registered_models WHERE api_base_url = ? ORDER BY registered_at DESC, id DESC`).all(c.baseUrl) as Row[];
  }

  /** Registered models on the current backend (all when none is configured), newest first. */
  list(): RegisteredModel[] {
    return this.rows().map(toModel);
  }

  get(modelPda: string, baseUrl?: string): RegisteredModel | null {
    const url = baseUrl ?? this.o.connection.get('solana').baseUrl;
    const row = (url
      ? this.o.db.prepare(`SELECT * FROM registered_models WHERE model_pda = ? AND api_base_url = ?`).get(modelPda, url)
      : this.o.db.prepare(`SELECT * FROM registered_models WHERE model_pda = ? ORDER BY id DESC LIMIT 1`).get(modelPda)) as Row | undefined;
    return row ? toModel(row) : null;
  }

  private byLocalModel(localModelId: string): RegisteredModel | null {
    const url = this.o.connection.get('solana').baseUrl;
    const row = this.o.db.prepare(`SELECT * FROM registered_models WHERE local_model_id = ? ${url ? 'AND api_base_url = ?' : ''} ORDER BY id DESC LIMIT 1`).get(...(url ? [localModelId, url] : [localModelId])) as Row | undefined;
    return row ? toModel(row) : null;
  }

  /**
   * The lineage of a PDA over the models registered here. A parent registered elsewhere ends the trace with
   * `unknownParent` (the backend may know it); a cycle or a depth over 32 is a violation in the seed's words.
   */
  async lineage(modelPda: string): Promise<{ trace: LineageTrace | null; unknownParent: string | null }> {
    const lookup = (pda: string): LineageModel | null => {
      const m = this.get(pda);
      return m ? { modelPDA: m.modelPda, modelName: m.name, developerWallet: m.walletAddress, parentPDA: m.parentPda } : null;
    };
    const trace = await traceLineage(modelPda, lookup);
    if (!trace) return { trace: null, unknownParent: null };
    const missing = trace.violations.find((v) => v.startsWith(parentNotFound('')));
    const unknownParent = missing ? missing.slice(parentNotFound('').length) : null;
    return {
      trace: { totalDepth: trace.totalDepth, isValid: trace.isValid, violations: trace.violations, lineage: trace.lineage.map((e) => ({ modelPDA: e.modelPDA, modelName: e.modelName, developerWallet: e.developerWallet, depth: e.depth, parentPDA: e.parentPDA })) },
      unknownParent,
    };
  }

  async show(modelPda: string): Promise<{ model: RegisteredModel | null; lineageTrace: LineageTrace; unknownParent: string | null }> {
    const model = this.get(modelPda);
    const { trace, unknownParent } = await this.lineage(modelPda);
    return { model, lineageTrace: trace ?? { totalDepth: 0, isValid: false, lineage: [], violations: [`Model not registered from this studio: ${modelPda}`] }, unknownParent };
  }

  /** The registered models as a forest: roots (and models whose parent is not known here) first, children under them. */
  tree(): LineageTreeNode[] {
    const models = this.list().reverse(); // oldest first reads as the order they were made
    const byPda = new Map(models.map((m) => [m.modelPda, m]));
    const nodes = new Map<string, LineageTreeNode>();
    const node = (pda: string): LineageTreeNode => {
      let n = nodes.get(pda);
      if (!n) {
        const m = byPda.get(pda);
        n = { modelPda: pda, name: m?.name ?? pda, relationship: m?.relationship ?? null, known: !!m, children: [] };
        nodes.set(pda, n);
      }
      return n;
    };
    const roots: LineageTreeNode[] = [];
    const placed = new Set<string>();
    for (const m of models) {
      const n = node(m.modelPda);
      if (m.parentPda && m.parentPda !== m.modelPda) {
        const p = node(m.parentPda);
        p.children.push(n);
        if (!byPda.has(m.parentPda) && !placed.has(m.parentPda)) {
          roots.push(p);
          placed.add(m.parentPda);
        }
      } else if (!placed.has(m.modelPda)) {
        roots.push(n);
        placed.add(m.modelPda);
      }
    }
    // A cycle among registered models leaves its members without a root: show them at the top level too.
    const reachable = new Set<string>();
    const walk = (n: LineageTreeNode) => {
      if (reachable.has(n.modelPda)) return;
      reachable.add(n.modelPda);
      n.children.forEach(walk);
    };
    roots.forEach(walk);
    for (const m of models) if (!reachable.has(m.modelPda)) {
      roots.push({ ...node(m.modelPda), children: [] });
      reachable.add(m.modelPda);
    }
    return roots;
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}
