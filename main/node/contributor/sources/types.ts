/**
 * What the policy needs to know about the machine, behind small injectable interfaces: tests and the benchmark
 * feed fakes, the CLI reads the OS (os-sources.ts), the Electron shell pushes powerMonitor's signals
 * (shell-signals.ts). A source that cannot see something says why, in plain words, instead of guessing.
 */
import type { GpuProcesses, OwnWork, PowerSource } from '../policy';

export interface Availability {
  available: boolean;
  why: string | null;
}

export interface IdleSource {
  /** Seconds since the last keyboard/mouse input; null: no input device is watched here (counts as idle). */
  idleSeconds(): number | null;
  /** True while the screen is locked. */
  locked?(): boolean;
  info(): Availability;
}

export interface PowerReader {
  power(): PowerSource | Promise<PowerSource>;
  /** True while the machine is going to sleep / asleep (until resume). */
  suspended?(): boolean;
  info(): Availability;
}

export interface GpuProcessSource {
  list(): Promise<GpuProcesses>;
}

export interface ProgramSource {
  /** Names of running programs; null when the list cannot be read. */
  list(): Promise<string[] | null>;
}

export interface OwnWorkSource {
  current(): OwnWork;
}

export interface ContributorSources {
  idle: IdleSource;
  power: PowerReader;
  gpu: GpuProcessSource;
  programs: ProgramSource;
  ownWork: OwnWorkSource;
  /** Sources that push (powerMonitor, viewer sessions, job events) call this so the agent decides at once. */
  subscribe?(onChange: () => void): () => void;
}

/** A set of listeners a pushing source fires. */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();
  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  fire(): void {
    for (const l of [...this.listeners]) l();
  }
}
