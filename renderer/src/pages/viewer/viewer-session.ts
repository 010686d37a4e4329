import { useEffect } from 'react';
import { api } from '../../api';

interface SessionApi {
  viewerSessionStart(req: Record<string, never>): Promise<{ sessionId: string }>;
  viewerSessionStop(req: { sessionId: string }): Promise<unknown>;
}

/**
 * Tells the contributor node that the creator is looking at a 3D model (their own GPU work: donating pauses while
 * it lasts). `begin()` opens one session, the function it returns closes it — also when the start reply comes
 * after the close. A failure (no contributor, an old core) only means donating cannot see the viewer.
 */
export function viewerSession(contributor: SessionApi): () => void {
  let closed = false;
  const started = contributor.viewerSessionStart({}).then(
    (r) => r.sessionId,
    () => null,
  );
  return () => {
    if (closed) return;
    closed = true;
    void started.then((id) => (id ? contributor.viewerSessionStop({ sessionId: id }).catch(() => undefined) : undefined));
  };
}

/** A viewer session for as long as `showing` is true and the page is mounted. */
export function useViewerSession(showing: boolean): void {
  useEffect(() => (showing ? viewerSession(api.contributor as unknown as SessionApi) : undefined), [showing]);
}
