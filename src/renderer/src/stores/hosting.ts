/** Hosting: whether Parley listens, where, and the invite it hands out. */
import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { HostingDto, InviteDto } from '../../../shared/dto.ts';
import { hostingPlan, type HostReach } from '../../../shared/reach-settings.ts';
import type { ParleyError, Result } from '../../../shared/result.ts';
import { call } from '../api/parley.ts';
import { useNoticesStore } from './notices.ts';
import { useSettingsStore } from './settings.ts';

/** The notice key of a failed "Host when Parley starts". */
export const HOST_AT_START_NOTICE = 'host-at-start';

/** True for the bind addresses that listen on every interface (PROTOCOL.md section 5 invites, DESIGN warnings). */
export function isAllInterfaces(bind: string): boolean {
  const b = bind.trim().toLowerCase();
  return b === '0.0.0.0' || b === '::' || b === '[::]' || b === '0:0:0:0:0:0:0:0';
}

// Where it lived first; main uses it too now (host at start).
export { hostingPlan };

/** The hosting store. */
export const useHostingStore = defineStore('hosting', () => {
  const hosting = ref<HostingDto | null>(null);
  const busy = ref(false);
  const error = ref<ParleyError | null>(null);
  /**
   * An invite made on the Host screen (one-time or reusable), shown instead of the hosting invite
   * until hosting stops or the invites are revoked. Null: the hosting invite is shown (reusable:
   * it stays the same while hosting and after a restart, until revoked).
   */
  const made = ref<InviteDto | null>(null);
  /** The port hosting at start could not use, while that failure is the error shown; else null. */
  const failedPort = ref<number | null>(null);

  async function load(): Promise<void> {
    const r = await call((api) => api.getHosting());
    if (r.ok) hosting.value = r.value;
  }

  /** Runs one hosting action at a time: the error shows on failure, the new state on success. */
  async function act<T>(action: () => Promise<Result<T>>, done: (value: T) => void): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    failedPort.value = null;
    const r = await action();
    busy.value = false;
    if (!r.ok) {
      error.value = r.error;
      return false;
    }
    done(r.value);
    return true;
  }

  /** Starts hosting for the chosen answer, and remembers the answer for next time. */
  function start(port: number, reach: HostReach, announce: boolean): Promise<boolean> {
    return act(
      async () => {
        // Remembering the choice is a convenience: a failure here must not stop hosting.
        await call((api) => api.updateSettings({ hostReach: reach, hostAnnounce: announce }));
        return call((api) => api.startHosting({ port, ...hostingPlan(reach, announce) }));
      },
      (h) => {
        onListening(h);
        // The first host turns "Host when Parley starts" on: show it as it is now.
        void useSettingsStore().load();
      },
    );
  }

  function stop(): Promise<boolean> {
    return act(
      () => call((api) => api.stopHosting()),
      () => {
        hosting.value = null;
        made.value = null;
      },
    );
  }

  /** A new invite with its own token: one-time (the first person to join with it) or reusable. */
  function createInvite(reusable: boolean): Promise<boolean> {
    return act(() => call((api) => api.createInvite({ reusable })), (invite) => (made.value = invite));
  }

  /** Ends every open invite token; the hosting invite is replaced by a new one, which is shown. */
  function revokeInvites(): Promise<boolean> {
    return act(
      () => call((api) => api.revokeInvites()),
      (h) => {
        hosting.value = h;
        made.value = null;
      },
    );
  }

  /** "Get a new reachable address": a new DHT key; old invites stop working through the internet path. */
  function newAddress(): Promise<boolean> {
    return act(() => call((api) => api.newDhtKey()), (h) => (hosting.value = h));
  }

  function onListening(h: HostingDto): void {
    hosting.value = h;
    // A host-at-start failure is resolved once hosting runs.
    useNoticesStore().clear(HOST_AT_START_NOTICE);
  }

  /**
   * "Host when Parley starts" failed (issue 12): the Host screen shows the reason where the user can
   * retry or choose another port; `port` is the one that was tried.
   */
  function startFailed(failure: ParleyError, port: number): void {
    if (hosting.value !== null) return; // hosting anyway by now (the user started it)
    error.value = failure;
    failedPort.value = port;
  }

  function onStopped(): void {
    hosting.value = null;
    made.value = null;
  }

  return { hosting, busy, error, made, failedPort, startFailed, load, start, stop, newAddress, createInvite, revokeInvites, onListening, onStopped };
});
