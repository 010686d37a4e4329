/**
 * The one IPC contract: every call the renderer may make, with its request and response schema,
 * and every event the core may push. Preload, the Electron main process and the browser host are
 * all built from this file; add a domain by adding its file here.
 */
import type { z } from 'zod';
import { appChannels, appEvents } from './app';
import { cloudChannels, cloudEvents } from './cloud';
import { computeChannels, computeEvents } from './compute';
import { contributorChannels, contributorEvents } from './contributor';
import { datasetChannels } from './datasets';
import { inferenceChannels } from './inference';
import { jobChannels, JobProgress, Job } from './jobs';
import { mediaChannels } from './media';
import { networkChannels } from './network';
import { projectChannels } from './projects';
import { storeChannels } from './store';
import { visionChannels, visionEvents } from './vision';
import { walletChannels } from './wallet';

export const contract = {
  ...appChannels,
  ...projectChannels,
  ...mediaChannels,
  ...jobChannels,
  ...inferenceChannels,
  ...cloudChannels,
  ...storeChannels,
  ...computeChannels,
  ...networkChannels,
  ...contributorChannels,
  ...walletChannels,
  ...datasetChannels,
  ...visionChannels,
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export const channelNames = Object.keys(contract) as Channel[];

/** What the caller sends (defaults not yet applied). */
export type RequestOf<C extends Channel> = z.input<Contract[C]['request']>;
/** What a handler receives (parsed, defaults applied). */
export type ParsedRequestOf<C extends Channel> = z.output<Contract[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Contract[C]['response']>;

/** Events pushed from the core to every window. */
export const events = {
  'job.progress': JobProgress,
  'job.updated': Job,
  ...appEvents,
  ...cloudEvents,
  ...computeEvents,
  ...contributorEvents,
  ...visionEvents,
} as const;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const eventNames = Object.keys(events) as EventName[];

type DomainOf<C extends string> = C extends `${infer D}.${string}` ? D : never;
export type Domain = DomainOf<Channel>;

/** A call whose request has no required field may be made without an argument. */
type Call<C extends Channel> = {} extends RequestOf<C>
  ? (req?: RequestOf<C>) => Promise<ResponseOf<C>>
  : (req: RequestOf<C>) => Promise<ResponseOf<C>>;

/** The API object the renderer sees: `api.projects.create({...})`, never a generic invoke. */
export type KrakenApi = {
  [D in Domain]: { [C in Channel as C extends `${D}.${infer V}` ? V : never]: Call<C> };
} & {
  events: { on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void };
};

export * from './define';
export * from './app';
export * from './projects';
export * from './media';
export * from './jobs';
export * from './inference';
export * from './cloud';
export * from './store';
export * from './compute';
export * from './network';
export * from './contributor';
export * from './wallet';
export * from './datasets';
export * from './vision';
