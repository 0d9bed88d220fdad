/**
 * Coming back where the user was when Parley starts (issue 12): rejoin the contacts this node joined
 * before, and host again with the remembered who-can-join answer when "Host when Parley starts" is on.
 * A failure to host (the port is taken, the address is gone) is not only a log line: it becomes the
 * `host-at-start-failed` event, which the window shows as a notice with the reason and a way to retry.
 */
import type { ParleyService } from '../core/service/parley-service.ts';
import { ServiceError } from '../core/service/errors.ts';
import type { ParleyEvent } from '../shared/dto.ts';
import { readReachSettings, startupHosting } from './reach-settings.ts';

/** Runs the start-up steps; resolves once hosting at start has succeeded, failed or was not asked for. */
export async function resumeAtStart(
  service: Pick<ParleyService, 'rejoinKnown' | 'host' | 'settings'>,
  report: { readonly emit: (event: ParleyEvent) => void; readonly log: (line: string) => void },
): Promise<void> {
  service.rejoinKnown();
  const plan = startupHosting(readReachSettings(service.settings), service.settings.getDefaultPort());
  if (plan === null) return;
  try {
    await service.host(plan);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    report.log(`hosting at start failed: ${message}`);
    report.emit({ type: 'host-at-start-failed', code: e instanceof ServiceError ? e.code : 'internal', message, port: plan.port });
  }
}

/**
 * Events of the desktop shell that must not be lost while the page cannot listen yet (hosting at
 * start may fail before the window has loaded): held, then sent once the page has asked for its
 * status, as held invites are (invite-relay.ts).
 */
export class HeldEvents {
  readonly #send: (event: ParleyEvent) => void;
  #held: ParleyEvent[] = [];
  #ready = false;

  constructor(send: (event: ParleyEvent) => void) {
    this.#send = send;
  }

  /** Sends now if the page listens, else holds (a newer event of the same type replaces a held one). */
  offer(event: ParleyEvent): void {
    if (this.#ready) this.#send(event);
    else this.#held = [...this.#held.filter((e) => e.type !== event.type), event];
  }

  /** The page listens now: sends what was held, in order. */
  pageReady(): void {
    this.#ready = true;
    const held = this.#held;
    this.#held = [];
    for (const e of held) this.#send(e);
  }

  /** The page is (re)loading: hold until it asks again. */
  pageGone(): void {
    this.#ready = false;
  }

  /** What is held (for tests). */
  get held(): readonly ParleyEvent[] {
    return this.#held;
  }
}
