/** The type of `window.parley`, derived from the channel registry: the renderer's whole view of the app. */
import type { CHANNELS, Channel } from './ipc/channels.ts';
import type { Args, Results } from './ipc/schemas.ts';
import type { ParleyEvent } from './dto.ts';
import type { Result } from './result.ts';

type MethodOf<C extends Channel> = (...args: Args<C>) => Promise<Result<Results[C]>>;

export type ParleyApi = { readonly [C in Channel as (typeof CHANNELS)[C]]: MethodOf<C> } & {
  /**
   * Takes a File the user dropped on the page and returns an opaque token for it (null if it is not
   * a file from disk). The preload keeps the token → path map: `sendDroppedFile(peer, token)` sends
   * that file, and the page never sees or chooses a path (an unknown token is refused).
   */
  readonly registerDroppedFile: (file: unknown) => string | null;
  /** Subscribes to core events; returns the unsubscribe function. */
  readonly onEvent: (listener: (event: ParleyEvent) => void) => () => void;
};
