/**
 * The one door every IPC call goes through, in every shell: check who is calling, parse the
 * payload against the contract, and only then hand it to a service. Nothing else registers handlers.
 */
import { AppError } from '../../common/app-error';
import { contract, type Channel, type Envelope, type ParsedRequestOf, type ResponseOf } from '../../common/contract';

/** Who sent a call, as the shell saw it. */
export interface Caller {
  /** Origin of the calling frame, e.g. `kraken://app` or `http://127.0.0.1:5123`. */
  origin: string;
  isMainFrame: boolean;
}

export type Handler<C extends Channel> = (req: ParsedRequestOf<C>, caller: Caller) => Promise<ResponseOf<C>> | ResponseOf<C>;
export type Handlers = { [C in Channel]: Handler<C> };
export type HandlerGroup<C extends Channel> = { [K in C]: Handler<K> };
/** The channels whose names start with `prefix.` — what one domain's handler group implements. */
export type ChannelsOf<P extends string> = Extract<Channel, `${P}.${string}`>;

export interface DispatchOptions {
  /** Origins our own renderer is served from; anything else is refused. */
  trustedOrigins: readonly string[];
  onError?: (channel: string, err: AppError) => void;
}

export type Dispatch = (channel: string, payload: unknown, caller: Caller) => Promise<Envelope<unknown>>;

/** Builds the dispatcher the shells call for each incoming message. */
export function createDispatcher(handlers: Handlers, options: DispatchOptions): Dispatch {
  return async (channel, payload, caller) => {
    if (!Object.hasOwn(contract, channel)) {
      return fail(new AppError('INVALID_INPUT', `Unknown channel "${channel}"`));
    }
    if (!caller.isMainFrame || !options.trustedOrigins.includes(caller.origin)) {
      return fail(new AppError('FORBIDDEN', `Calls from ${caller.origin || 'an unknown origin'} are not allowed`));
    }
    const spec = contract[channel as Channel];
    const parsed = spec.request.safeParse(payload);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const first = issues[0];
      return fail(new AppError('INVALID_INPUT', first ? `${first.path || 'request'}: ${first.message}` : 'Invalid request', { issues }));
    }
    try {
      const handler = handlers[channel as Channel] as (req: unknown, caller: Caller) => unknown;
      const value = await handler(parsed.data, caller);
      return { ok: true, value };
    } catch (err) {
      const appErr = AppError.from(err);
      options.onError?.(channel, appErr);
      return fail(appErr);
    }
  };
}

function fail(err: AppError): Envelope<never> {
  return { ok: false, error: err.toShape() };
}
