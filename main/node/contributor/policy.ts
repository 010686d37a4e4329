/**
 * The donation policy: a pure function of what the sources report and the creator's rules, so every rule is
 * tested with a fake clock. The agent calls `decide` on every tick and on every source event; the order of the
 * checks below is the order of precedence (the first rule that blocks is the reason shown).
 */
import type { ContributorCommand, ContributorPolicy, ContributorReason, ContributorStateName, ScheduleWindow } from '../../common/contract/contributor';

/**
 * Defaults, with where each comes from:
 * - idleMinutes 3: BOINC's "suspend when computer is in use; 'in use' means mouse/keyboard input in last 3 minutes".
 * - runOnBattery false: BOINC's "suspend when computer is on battery" (on by default).
 * - pauseOnGpuProcess true: BOINC suspends GPU work while the computer is in use (`run_gpu_if_user_active` off);
 *   we go further and pause while any other process uses the GPU (BOINC #1459/#2301).
 * - cpuSharePercent 100, gpuSharePercent 100: BOINC's "use at most 100 % of the CPUs / of CPU time".
 * - memorySharePercent 90: BOINC's "when computer is not in use, use at most 90 %" of memory.
 * - diskMaxMb 10240: ours (BOINC caps the whole client's disk, not one job's folder).
 * - dailyMaxMinutes null, schedule [] and pausePrograms []: BOINC has no daily limit, no time limits and no
 *   exclusive applications by default.
 * - quietMinutes 1: ours (BOINC resumes after its idle time again); one minute keeps a program that restarts
 *   (a render farm's next frame) from handing the GPU back and forth.
 */
export const DEFAULT_POLICY: ContributorPolicy = Object.freeze({
  idleMinutes: 3,
  runOnBattery: false,
  pauseOnGpuProcess: true,
  pauseOnOwnWork: true,
  pausePrograms: [],
  cpuSharePercent: 100,
  gpuSharePercent: 100,
  memorySharePercent: 90,
  diskMaxMb: 10240,
  dailyMaxMinutes: null,
  schedule: [],
  quietMinutes: 1,
  clusters: ['gpu', 'cpu'],
}) as ContributorPolicy;

export type PowerSource = 'ac' | 'battery' | 'unknown';

export interface GpuProcess {
  pid: number;
  name: string;
  usedMemoryMb?: number | null;
}

export type GpuProcesses = { available: true; processes: GpuProcess[] } | { available: false; why: string };

export interface OwnWork {
  extraction: number;
  inference: number;
  viewer: number;
  other?: number;
}

export interface PolicyInputs {
  /** Epoch ms. */
  now: number;
  /** Local weekday (0 = Sunday) and minute of the day at `now` (see `localClock`). */
  local: { weekday: number; minute: number };
  optedIn: boolean;
  command: ContributorCommand;
  /** True while the node holds a lease (decides `pause` vs `waiting` and what "finish, then stop" does). */
  hasJob: boolean;
  /** Seconds since the last keyboard/mouse input; null: this machine has no input device to watch (a headless rig). */
  idleSeconds: number | null;
  /** True while the screen is locked (counts as idle: nobody is at the keyboard). */
  locked?: boolean;
  suspended?: boolean;
  power: PowerSource;
  gpu: GpuProcesses;
  /** Pids of the agent and its job processes (never "another" GPU user). */
  ownPids: readonly number[];
  /** Names of running programs (as ps/tasklist list them); null: the list could not be read. */
  programs: readonly string[] | null;
  ownWork: OwnWork;
  /** Minutes donated so far today (local day). */
  todayMinutes: number;
  /** Last time a rule that starts the quiet period blocked (GPU use, a listed program, own work); null: never. */
  lastBlockedAt: number | null;
}

export interface Decision {
  state: ContributorStateName;
  reason: ContributorReason;
  /** True when this decision's reason starts (or extends) the quiet period: the agent stores `now` as lastBlockedAt. */
  quietTrigger: boolean;
}

/** Local weekday and minute of a date (the machine's time zone). */
export function localClock(date: Date): { weekday: number; minute: number } {
  return { weekday: date.getDay(), minute: date.getHours() * 60 + date.getMinutes() };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** True when the local time lies inside a window (an end before the start runs past midnight into the next day). */
export function inWindow(w: ScheduleWindow, local: { weekday: number; minute: number }): boolean {
  const start = minutesOf(w.start);
  const end = minutesOf(w.end);
  if (start === end) return w.days.includes(local.weekday); // whole day
  if (start < end) return w.days.includes(local.weekday) && local.minute >= start && local.minute < end;
  // Overnight: from start to midnight on a listed day, and from midnight to end on the day after.
  if (w.days.includes(local.weekday) && local.minute >= start) return true;
  const yesterday = (local.weekday + 6) % 7;
  return w.days.includes(yesterday) && local.minute < end;
}

/** Minutes until the next window opens (searching one week ahead), or null. */
export function minutesToNextWindow(schedule: readonly ScheduleWindow[], local: { weekday: number; minute: number }): number | null {
  for (let step = 1; step <= 7 * 24 * 60; step++) {
    const total = local.minute + step;
    const probe = { weekday: (local.weekday + Math.floor(total / 1440)) % 7, minute: total % 1440 };
    if (schedule.some((w) => inWindow(w, probe))) return step;
  }
  return null;
}

/** `blender.exe`, `/usr/bin/Blender` and `blender` are the same program. */
export function programKey(name: string): string {
  const base = name.trim().split(/[\\/]/).pop() ?? '';
  return base.toLowerCase().replace(/\.exe$/, '');
}

function reason(code: ContributorReason['code'], params: ContributorReason['params'] = {}): ContributorReason {
  return { code, params };
}

/** Decides whether the node may work now, and why (a code + params the UI translates). */
export function decide(inputs: PolicyInputs, rules: ContributorPolicy): Decision {
  const blocked = (code: ContributorReason['code'], params: ContributorReason['params'] = {}, quietTrigger = false): Decision => ({
    state: inputs.hasJob ? 'pause' : 'waiting',
    reason: reason(code, params),
    quietTrigger,
  });

  if (!inputs.optedIn) return { state: 'off', reason: reason('not_opted_in'), quietTrigger: false };
  if (inputs.command === 'pause_now') return { state: inputs.hasJob ? 'pause' : 'waiting', reason: reason('paused_by_user'), quietTrigger: false };
  if (inputs.command === 'finish_then_stop' && !inputs.hasJob) return { state: 'off', reason: reason('stopped'), quietTrigger: false };
  if (inputs.suspended) return blocked('system_suspended');
  if (inputs.power === 'battery' && !rules.runOnBattery) return blocked('on_battery');
  if (rules.schedule.length > 0 && !rules.schedule.some((w) => inWindow(w, inputs.local))) {
    const next = minutesToNextWindow(rules.schedule, inputs.local);
    const nextStart = next === null ? null : new Date(Math.floor((inputs.now + next * 60_000) / 60_000) * 60_000).toISOString();
    return blocked('outside_schedule', { nextStart });
  }
  if (rules.dailyMaxMinutes !== null && inputs.todayMinutes >= rules.dailyMaxMinutes) {
    return blocked('daily_max_reached', { minutes: Math.floor(inputs.todayMinutes), max: rules.dailyMaxMinutes });
  }
  if (rules.pauseOnOwnWork) {
    const w = inputs.ownWork;
    const kinds: Array<['extraction' | 'inference' | 'viewer' | 'other', number]> = [
      ['extraction', w.extraction],
      ['inference', w.inference],
      ['viewer', w.viewer],
      ['other', w.other ?? 0],
    ];
    const busy = kinds.find(([, n]) => n > 0);
    if (busy) return blocked('own_work', { kind: busy[0], count: busy[1] }, true);
  }
  if (rules.pausePrograms.length > 0 && inputs.programs) {
    const wanted = new Map(rules.pausePrograms.map((p) => [programKey(p), p] as const));
    const found = inputs.programs.find((p) => wanted.has(programKey(p)));
    if (found !== undefined) return blocked('program_running', { program: found.trim().split(/[\\/]/).pop() ?? found }, true);
  }
  if (rules.pauseOnGpuProcess && inputs.gpu.available) {
    const own = new Set(inputs.ownPids);
    const other = inputs.gpu.processes.find((p) => !own.has(p.pid));
    if (other) return blocked('gpu_busy', { program: other.name.split(/[\\/]/).pop() ?? other.name, pid: other.pid }, true);
  }
  const needSeconds = Math.round(rules.idleMinutes * 60);
  if (inputs.idleSeconds !== null && !inputs.locked && inputs.idleSeconds < needSeconds) {
    return blocked('user_active', { idleSeconds: Math.floor(inputs.idleSeconds), needSeconds });
  }
  if (inputs.lastBlockedAt !== null && rules.quietMinutes > 0) {
    const left = inputs.lastBlockedAt + rules.quietMinutes * 60_000 - inputs.now;
    if (left > 0) return blocked('quiet_period', { secondsLeft: Math.ceil(left / 1000) });
  }
  if (inputs.command === 'finish_then_stop') return { state: 'run', reason: reason('finishing_then_stop'), quietTrigger: false };
  return { state: 'run', reason: reason('idle', { idleSeconds: inputs.idleSeconds === null ? null : Math.floor(inputs.idleSeconds) }), quietTrigger: false };
}

/** Threads a job may use (CPU share of the cores; at least one). */
export function jobThreads(rules: ContributorPolicy, cores: number): number {
  return Math.max(1, Math.floor((cores * rules.cpuSharePercent) / 100));
}

/** The GPU share's duty cycle: a job on a GPU runs `share` % of each period and is stopped (SIGSTOP) for the rest. */
export const GPU_DUTY_PERIOD_MS = 2000;

/**
 * Where a job on the GPU is in its duty cycle `sinceMs` after it started running: run or rest, and in how many ms
 * that changes. A share of 100 % always runs. The GPU cannot be time-sliced from outside its driver, so the cap is an
 * average over the period (like BOINC's "use at most N % of CPU time", which stops and continues the task).
 */
export function gpuDutyPhase(sharePercent: number, sinceMs: number, periodMs = GPU_DUTY_PERIOD_MS): { run: boolean; changeInMs: number } {
  if (sharePercent >= 100) return { run: true, changeInMs: Infinity };
  const runMs = Math.max(50, Math.round((periodMs * Math.max(1, sharePercent)) / 100));
  const at = ((sinceMs % periodMs) + periodMs) % periodMs;
  return at < runMs ? { run: true, changeInMs: runMs - at } : { run: false, changeInMs: periodMs - at };
}

/** Memory a job may use, MB (share of the machine's memory). */
export function jobMemoryMb(rules: ContributorPolicy, totalMb: number): number {
  return Math.max(256, Math.floor((totalMb * rules.memorySharePercent) / 100));
}
