/**
 * The contributor domain of the IPC contract: donating idle GPU/CPU time to the Kraken network (SPEC §4–§5,
 * docs/contributor-protocol.md). Off by default; nothing runs before `contributor.optIn`. The core sends every
 * state with a reason as a code + params (`gpu_busy {program}`), which the UI translates (en/ko) and the CLI
 * words in English (main/node/contributor/reasons.ts).
 */
import { z } from 'zod';
import { channel, Empty, IsoTime } from './define';

/** The consent text's version: a new text asks again. */
export const CONTRIBUTOR_CONSENT_VERSION = 1;

export const ContributorCluster = z.enum(['cpu', 'gpu']);
export type ContributorCluster = z.infer<typeof ContributorCluster>;

/** `HH:MM` (24 h, local time). */
const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time as HH:MM (00:00–24:00)');

/** A window in which donating is allowed on the given weekdays (0 = Sunday … 6 = Saturday); `end` before `start` runs past midnight. */
export const ScheduleWindow = z
  .object({
    days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
    start: ClockTime,
    end: ClockTime,
  })
  .strict();
export type ScheduleWindow = z.infer<typeof ScheduleWindow>;

/** A program name (as the OS lists it: `blender`, `blender.exe`); matched without case and without `.exe`. */
const ProgramName = z.string().trim().min(1).max(200);

/**
 * The creator's donation rules. Defaults follow BOINC's where BOINC has one (see main/node/contributor/policy.ts
 * DEFAULT_POLICY for each one's origin).
 */
export const ContributorPolicy = z
  .object({
    /** Start only after this many minutes without keyboard/mouse input (BOINC: 3). */
    idleMinutes: z.number().min(0).max(24 * 60),
    /** Donate while on battery (BOINC: no). */
    runOnBattery: z.boolean(),
    /** Pause while any other process uses the GPU (nvidia-smi where available). */
    pauseOnGpuProcess: z.boolean(),
    /** Pause while the creator's own studio work runs (extraction, a local model run, a viewer session). */
    pauseOnOwnWork: z.boolean(),
    /** Pause while any of these programs run (BOINC's exclusive applications; default none). */
    pausePrograms: z.array(ProgramName).max(200),
    /** Share of the CPU cores a job may use, % (BOINC: 100). */
    cpuSharePercent: z.number().int().min(1).max(100),
    /** Share of the time the GPU job may run, % — a duty cycle like BOINC's CPU-time limit (BOINC: 100). */
    gpuSharePercent: z.number().int().min(1).max(100),
    /** Share of the machine's memory a job may use, % (BOINC, when the computer is idle: 90). */
    memorySharePercent: z.number().int().min(5).max(100),
    /** Disk a job folder may use, MB. */
    diskMaxMb: z.number().int().min(16).max(1_000_000),
    /** Most minutes donated per (local) day; null: no maximum (BOINC has none). */
    dailyMaxMinutes: z.number().int().min(1).max(24 * 60).nullable(),
    /** Allowed windows; empty: any time (BOINC: no time limits). */
    schedule: z.array(ScheduleWindow).max(50),
    /** After a pause for GPU use, a listed program or own work, wait this long once it is gone before resuming. */
    quietMinutes: z.number().min(0).max(24 * 60),
    /** Clusters offered to the network. */
    clusters: z.array(ContributorCluster).min(1).max(2),
  })
  .strict();
export type ContributorPolicy = z.infer<typeof ContributorPolicy>;

/** What the agent is doing: `off` (not opted in, or stopped), `waiting` (no job; a rule or no work), `run` (working), `pause` (holding a job, stopped). */
export const ContributorStateName = z.enum(['off', 'waiting', 'run', 'pause']);
export type ContributorStateName = z.infer<typeof ContributorStateName>;

/**
 * Reason codes (params in brackets):
 * - `not_opted_in`, `stopped` (finished the job after "finish, then stop"), `starting`
 * - `paused_by_user` — "Pause now" (until Resume)
 * - `finishing_then_stop` — runs the current job to its end, then stops
 * - `system_suspended` — the machine sleeps
 * - `on_battery`
 * - `outside_schedule` {nextStart?: ISO}
 * - `daily_max_reached` {minutes, max}
 * - `own_work` {kind: 'extraction'|'inference'|'viewer'|'other', count}
 * - `program_running` {program}
 * - `gpu_busy` {program, pid}
 * - `user_active` {idleSeconds, needSeconds}
 * - `quiet_period` {secondsLeft}
 * - `idle` {idleSeconds|null} — running: the machine is idle (idleSeconds null: no input device, a headless rig)
 * - `no_work` — waiting: the network has nothing to lease
 * - `network_unreachable` {message}
 * - `registering`, `fetching` {done, total}, `uploading`
 * - `job_refused` {message}, `job_failed` {message}
 */
export const ContributorReasonCode = z.enum([
  'not_opted_in',
  'stopped',
  'starting',
  'paused_by_user',
  'finishing_then_stop',
  'system_suspended',
  'on_battery',
  'outside_schedule',
  'daily_max_reached',
  'own_work',
  'program_running',
  'gpu_busy',
  'user_active',
  'quiet_period',
  'idle',
  'no_work',
  'network_unreachable',
  'registering',
  'fetching',
  'uploading',
  'gpu_share',
  'job_refused',
  'job_failed',
]);
export type ContributorReasonCode = z.infer<typeof ContributorReasonCode>;

export const ContributorReason = z.object({
  code: ContributorReasonCode,
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type ContributorReason = z.infer<typeof ContributorReason>;

/** The lease the node holds now. */
export const ContributorJob = z.object({
  jobId: z.string(),
  replica: z.number(),
  leaseId: z.string(),
  kind: z.enum(['inference', 'embeddings']),
  cluster: ContributorCluster,
  done: z.number(),
  total: z.number(),
  /** Hard end (lease start + maxDurationMinutes). */
  deadline: IsoTime,
  leaseExpiresAt: IsoTime.nullable(),
  /** When the last finished input was saved in the job folder; null: none yet. */
  lastCheckpointAt: IsoTime.nullable(),
  /** Estimated time left from the rate so far; null: not known yet. */
  remainingSeconds: z.number().nullable(),
  startedAt: IsoTime,
});
export type ContributorJob = z.infer<typeof ContributorJob>;

/** What the GPU-process source can see here (nvidia-smi), or why not. */
export const ContributorSourceInfo = z.object({
  gpuProcesses: z.object({ available: z.boolean(), why: z.string().nullable() }),
  idle: z.object({ available: z.boolean(), why: z.string().nullable() }),
  power: z.object({ available: z.boolean(), why: z.string().nullable() }),
});

/** The user's standing command: none, "pause now" (until resume), "finish this job, then stop". */
export const ContributorCommand = z.enum(['none', 'pause_now', 'finish_then_stop']);
export type ContributorCommand = z.infer<typeof ContributorCommand>;

export const ContributorStatus = z.object({
  optedIn: z.boolean(),
  consentedAt: IsoTime.nullable(),
  state: ContributorStateName,
  reason: ContributorReason,
  command: ContributorCommand,
  /** The node's id (base58 ed25519 public key) once created; null before the first opt-in. */
  nodeId: z.string().nullable(),
  networkUrl: z.string().nullable(),
  job: ContributorJob.nullable(),
  /** Minutes donated today (local day), both clusters. */
  todayMinutes: z.number(),
  sources: ContributorSourceInfo,
  /** Where the job process is confined here, in words (bubblewrap, Node permissions only, …). */
  confinement: z.string(),
  updatedAt: IsoTime,
});
export type ContributorStatus = z.infer<typeof ContributorStatus>;

export const ContributorLedgerDay = z.object({
  /** Local day, YYYY-MM-DD. */
  day: z.string(),
  jobs: z.number(),
  cpuMinutes: z.number(),
  gpuMinutes: z.number(),
  claimedCredit: z.number(),
  grantedCredit: z.number(),
});
export type ContributorLedgerDay = z.infer<typeof ContributorLedgerDay>;

export const ContributorLedgerEntry = z.object({
  jobId: z.string(),
  replica: z.number(),
  cluster: ContributorCluster,
  inputs: z.number(),
  deviceMs: z.number(),
  claimedCredit: z.number(),
  grantedCredit: z.number().nullable(),
  /** `pending_validation` | `valid` | `invalid` | `rejected` (server), `released` (given back). */
  status: z.string(),
  at: IsoTime,
});
export type ContributorLedgerEntry = z.infer<typeof ContributorLedgerEntry>;

export const ContributorLedger = z.object({
  days: z.array(ContributorLedgerDay),
  recent: z.array(ContributorLedgerEntry),
  totals: z.object({ jobs: z.number(), cpuMinutes: z.number(), gpuMinutes: z.number(), claimedCredit: z.number(), grantedCredit: z.number() }),
});
export type ContributorLedger = z.infer<typeof ContributorLedger>;

const Url = z.string().trim().url().max(2000);

export const contributorChannels = {
  'contributor.status': channel('The agent now: on/off, state and reason, the current job, today’s minutes, what the sources can see.', Empty, ContributorStatus),
  'contributor.optIn': channel(
    'Consent and start: creates the node identity (kept in the vault) on first use; the agent starts waiting for idle time. `consentVersion` must be the text the user read.',
    z.object({ consentVersion: z.literal(CONTRIBUTOR_CONSENT_VERSION), networkUrl: Url.optional() }).strict(),
    ContributorStatus,
  ),
  'contributor.optOut': channel('Stop donating: the current job is given back, nothing runs until the next opt-in (the identity and ledger are kept).', Empty, ContributorStatus),
  'contributor.policy': channel('The donation rules in force.', Empty, ContributorPolicy),
  'contributor.setPolicy': channel('Change some of the donation rules (the rest stay); applied at once.', ContributorPolicy.partial().strict(), ContributorPolicy),
  'contributor.pauseNow': channel('Pause now: the job process stops within a second and stays paused until resume.', Empty, ContributorStatus),
  'contributor.finishThenStop': channel('Finish this job, then stop (no new lease).', Empty, ContributorStatus),
  'contributor.resume': channel('Undo "pause now" / "finish, then stop": the rules decide again.', Empty, ContributorStatus),
  'contributor.ledger': channel(
    'The local ledger: per day (newest first) jobs, device minutes per cluster, claimed and granted credit; recent jobs; totals.',
    z.object({ days: z.number().int().min(1).max(366).optional() }).strict(),
    ContributorLedger,
  ),
  'contributor.viewerSessionStart': channel('The creator opened a viewer session (counts as own work: donating pauses).', Empty, z.object({ sessionId: z.string() })),
  'contributor.viewerSessionStop': channel('The viewer session ended.', z.object({ sessionId: z.string().min(1).max(100) }).strict(), z.object({ active: z.number() })),
};

/** Events of the contributor domain. */
export const contributorEvents = {
  /** The agent's state, reason, job or command changed. */
  'contributor.state': ContributorStatus,
} as const;
