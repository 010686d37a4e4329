/**
 * Signals a shell pushes (the Electron main process from powerMonitor): idle time, battery, suspend/resume, lock.
 * Kept here, free of Electron, so the shell only forwards events and the core stays testable.
 */
import type { PowerSource } from '../policy';
import { ChangeSignal, type IdleSource, type PowerReader } from './types';

export class ShellSignals implements IdleSource, PowerReader {
  readonly changed = new ChangeSignal();
  private idleReader: (() => number) | null = null;
  private onBattery: boolean | null = null;
  private isSuspended = false;
  private isLocked = false;

  /** powerMonitor.getSystemIdleTime (seconds). */
  setIdleReader(read: () => number): void {
    this.idleReader = read;
    this.changed.fire();
  }

  /** Any input the shell noticed (its own window's keys, a resume): decide again at once. */
  userActive(): void {
    this.changed.fire();
  }

  setOnBattery(onBattery: boolean): void {
    this.onBattery = onBattery;
    this.changed.fire();
  }

  setSuspended(suspended: boolean): void {
    this.isSuspended = suspended;
    this.changed.fire();
  }

  setLocked(locked: boolean): void {
    this.isLocked = locked;
    this.changed.fire();
  }

  idleSeconds(): number | null {
    return this.idleReader ? this.idleReader() : null;
  }

  locked(): boolean {
    return this.isLocked;
  }

  power(): PowerSource {
    return this.onBattery === null ? 'unknown' : this.onBattery ? 'battery' : 'ac';
  }

  suspended(): boolean {
    return this.isSuspended;
  }

  info() {
    return this.idleReader ? { available: true, why: null } : { available: false, why: 'the desktop shell has not reported idle time yet' };
  }
}
