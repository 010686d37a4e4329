/** Seed 001's plans (Rate Limiting table) and the usage limits GET /user/profile reports for each. */
export type PlanName = 'free' | 'pro' | 'enterprise';

export const PLAN_NAMES: PlanName[] = ['free', 'pro', 'enterprise'];

export interface Plan {
  requestsPerMinute: number;
  requestsPerHour: number;
  concurrentWorkflows: number;
  gpuHoursLimit: number;
  storageGbLimit: number;
}

export const DEFAULT_PLANS: Record<PlanName, Plan> = {
  free: { requestsPerMinute: 60, requestsPerHour: 1000, concurrentWorkflows: 1, gpuHoursLimit: 10, storageGbLimit: 5 },
  pro: { requestsPerMinute: 300, requestsPerHour: 10000, concurrentWorkflows: 5, gpuHoursLimit: 100, storageGbLimit: 50 },
  enterprise: { requestsPerMinute: 1000, requestsPerHour: 50000, concurrentWorkflows: 20, gpuHoursLimit: 1000, storageGbLimit: 500 },
};

export const isPlan = (v: unknown): v is PlanName => typeof v === 'string' && (PLAN_NAMES as string[]).includes(v);
