/**
 * The contributor service: the agent, its store and sources behind the `contributor.*` channels. Off by default —
 * the agent only starts after `contributor.optIn` (and at launch when the creator had opted in before).
 */
import { AppError } from '../../common/app-error';
import { say } from '../../common/messages';
import type { ContributorPolicy, ContributorStatus } from '../../common/contract/contributor';
import { CONTRIBUTOR_CONSENT_VERSION } from '../../common/contract/contributor';
import type { EventBus } from '../event-bus';
import type { JobRunner } from '../jobs/job-runner';
import type { Db } from '../store/database';
import { ContributorAgent, type AgentOptions } from './agent';
import type { ContributorHandlerDeps } from './handlers';
import { NvidiaSmiSource } from './sources/nvidia-smi';
import { HeadlessIdle, OsPowerReader, OsProgramSource } from './sources/os-sources';
import { StudioOwnWork } from './sources/own-work';
import type { ShellSignals } from './sources/shell-signals';
import type { ContributorSources } from './sources/types';
import { ContributorStore } from './store';

export interface ContributorServiceOptions {
  db: Db;
  dataDir: string;
  bus?: Pick<EventBus, 'emit' | 'on'>;
  jobs?: Pick<JobRunner, 'list'> | null;
  vault: AgentOptions['vault'];
  /** Where the network is when the creator gives no address (setting, KRAKEN_NETWORK_URL, emulator). */
  defaultNetworkUrl?: () => string | null;
  /** The Electron shell's powerMonitor signals (idle, battery, suspend, lock); else the OS as the CLI reads it. */
  shellSignals?: ShellSignals;
  /** Replace sources (tests, the benchmark). */
  sources?: Partial<ContributorSources>;
  agent?: Partial<Omit<AgentOptions, 'store' | 'sources' | 'vault' | 'dataDir'>>;
  now?: () => number;
}

export class ContributorService implements ContributorHandlerDeps {
  readonly store: ContributorStore;
  readonly agent: ContributorAgent;
  readonly ownWork: StudioOwnWork;
  readonly sources: ContributorSources;
  private started = false;

  constructor(private readonly o: ContributorServiceOptions) {
    this.store = new ContributorStore(o.db, o.now);
    this.ownWork = new StudioOwnWork(o.jobs ?? null, o.bus);
    const shell = o.shellSignals;
    const base: ContributorSources = {
      idle: shell ?? new HeadlessIdle(),
      power: shell ?? new OsPowerReader(),
      gpu: new NvidiaSmiSource(),
      programs: new OsProgramSource(),
      ownWork: this.ownWork,
    };
    const merged = { ...base, ...o.sources };
    const pushers = [this.ownWork.changed, ...(shell ? [shell.changed] : [])];
    const theirs = o.sources?.subscribe;
    this.sources = {
      ...merged,
      subscribe: (l) => {
        const offs = [...pushers.map((p) => p.subscribe(l)), ...(theirs ? [theirs(l)] : [])];
        return () => offs.forEach((off) => off());
      },
    };
    this.agent = new ContributorAgent({
      ...o.agent,
      store: this.store,
      sources: this.sources,
      vault: o.vault,
      dataDir: o.dataDir,
      now: o.now,
      onState: (s) => {
        o.bus?.emit('contributor.state', s);
        o.agent?.onState?.(s);
      },
    });
  }

  /** At launch: starts the agent when the creator opted in before. */
  start(): void {
    if (this.store.get().optedIn) this.startAgent();
  }

  private startAgent(): void {
    if (this.started) return;
    this.started = true;
    this.agent.start();
  }

  /** Stops the agent (the current job is given back, its checkpoint kept). */
  async close(): Promise<void> {
    this.ownWork.close();
    if (this.started) await this.agent.stop('shutdown');
    this.started = false;
  }

  status = (): ContributorStatus => this.agent.status();

  optIn = async (req: { consentVersion: number; networkUrl?: string }): Promise<ContributorStatus> => {
    if (req.consentVersion !== CONTRIBUTOR_CONSENT_VERSION) throw new AppError('INVALID_INPUT', say('contributor.consent_changed', {}));
    const url = req.networkUrl ?? this.store.get().networkUrl ?? this.o.defaultNetworkUrl?.() ?? null;
    if (!url) throw new AppError('INVALID_INPUT', say('contributor.no_network_address', {}));
    this.store.optIn(req.consentVersion, url);
    this.startAgent();
    this.agent.kick();
    return this.agent.status();
  };

  optOut = async (): Promise<ContributorStatus> => {
    this.store.optOut();
    if (this.started) {
      await this.agent.stop('shutdown');
      this.started = false;
    }
    return this.agent.status();
  };

  policy = (): ContributorPolicy => this.store.get().policy;

  setPolicy = (patch: Partial<ContributorPolicy>): ContributorPolicy => {
    const next = { ...this.store.get().policy, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as ContributorPolicy;
    this.store.setPolicy(next);
    this.agent.kick();
    return next;
  };

  pauseNow = (): ContributorStatus => this.command('pause_now');
  finishThenStop = (): ContributorStatus => this.command('finish_then_stop');
  resume = (): ContributorStatus => this.command('none');

  private command(c: 'none' | 'pause_now' | 'finish_then_stop'): ContributorStatus {
    this.store.setCommand(c);
    // Decide now, not at the next tick: "pause now" stops the job process before this call answers.
    this.agent.enforceNow();
    return this.agent.status();
  }

  ledger = async (req: { days?: number }) => {
    await this.agent.syncLedger().catch(() => 0);
    return this.store.ledger(req.days ?? 30, (this.o.now ?? Date.now)());
  };

  viewerSessionStart = () => ({ sessionId: this.ownWork.viewerStart() });
  viewerSessionStop = (req: { sessionId: string }) => ({ active: this.ownWork.viewerStop(req.sessionId) });
}
