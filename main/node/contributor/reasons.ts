/** The reasons in English sentences, for the command line (the UI translates the codes itself, en/ko). */
import type { ContributorReason } from '../../common/contract/contributor';

export function reasonSentence(r: ContributorReason): string {
  const p = r.params;
  switch (r.code) {
    case 'not_opted_in':
      return 'Off: donating is not turned on.';
    case 'stopped':
      return 'Stopped after finishing the job, as asked.';
    case 'starting':
      return 'Starting.';
    case 'paused_by_user':
      return 'Paused by you (resume to continue).';
    case 'finishing_then_stop':
      return 'Finishing this job, then stopping.';
    case 'system_suspended':
      return 'Paused: the computer is going to sleep.';
    case 'on_battery':
      return 'Paused: the computer is on battery.';
    case 'outside_schedule':
      return p.nextStart ? `Waiting: outside the schedule (next window ${String(p.nextStart)}).` : 'Waiting: outside the schedule.';
    case 'daily_max_reached':
      return `Waiting: today's maximum is reached (${String(p.minutes)} of ${String(p.max)} minutes).`;
    case 'own_work':
      return p.kind === 'viewer'
        ? 'Paused: you are using the viewer.'
        : p.kind === 'extraction'
          ? 'Paused: your frame extraction is running.'
          : p.kind === 'inference'
            ? 'Paused: your own model run is running.'
            : 'Paused: your own studio work is running.';
    case 'program_running':
      return `Paused: ${String(p.program)} is running.`;
    case 'gpu_busy':
      return `Paused: another program is using the GPU (${String(p.program)}, pid ${String(p.pid)}).`;
    case 'user_active':
      return `Waiting: the computer is in use (idle ${String(p.idleSeconds)} s of ${String(p.needSeconds)} s needed).`;
    case 'quiet_period':
      return `Waiting: resuming after a quiet period (${String(p.secondsLeft)} s left).`;
    case 'idle':
      return p.idleSeconds === null ? 'Running: no one is at this machine.' : 'Running: the computer is idle.';
    case 'no_work':
      return 'Waiting: the network has no work right now.';
    case 'network_unreachable':
      return `Waiting: the network cannot be reached (${String(p.message ?? '')}).`;
    case 'registering':
      return 'Registering this node with the network.';
    case 'fetching':
      return `Fetching the job's files (${String(p.done)} of ${String(p.total)}).`;
    case 'uploading':
      return 'Uploading the result.';
    case 'gpu_share':
      return `Running on the GPU ${String(p.percent)} % of the time (your GPU share cap).`;
    case 'job_refused':
      return `Refused a job: ${String(p.message ?? '')}`;
    case 'job_failed':
      return `A job failed: ${String(p.message ?? '')}`;
  }
}
