/** IPC handlers of the wallet, registry and royalty domains (seed 002): one method per channel. */
import type { ParsedRequestOf, ResponseOf } from '../../../common/contract';
import type { ChannelsOf, HandlerGroup } from '../../ipc/dispatch';

type C = ChannelsOf<'wallet'> | ChannelsOf<'registry'> | ChannelsOf<'royalty'>;
type Method<K extends C> = (req: ParsedRequestOf<K>) => Promise<ResponseOf<K>> | ResponseOf<K>;

export type SolanaHandlerDeps = { [K in C]: Method<K> };

export function solanaHandlers(d: SolanaHandlerDeps): HandlerGroup<C> {
  const out = {} as Record<C, (req: never) => unknown>;
  for (const k of Object.keys(d) as C[]) out[k] = (req: never) => (d[k] as (r: never) => unknown)(req);
  return out as unknown as HandlerGroup<C>;
}
