/** The type of `window.parley`, derived from the channel registry: the renderer's whole view of the app. */
import type { CHANNELS, Channel } from './ipc/channels.ts';
import type { Args, Results } from './ipc/schemas.ts';
import type { ParleyEvent } from './dto.ts';
import type { Result } from './result.ts';

type MethodOf<C extends Channel> = (...args: Args<C>) => Promise<Result<Results[C]>>;

export type ParleyApi = { readonly [C in Channel as (typeof CHANNELS)[C]]: MethodOf<C> } & {
  /** Subscribes to core events; returns the unsubscribe function. */
  readonly onEvent: (listener: (event: ParleyEvent) => void) => () => void;
};
