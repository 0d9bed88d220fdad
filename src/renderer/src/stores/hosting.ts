/** Hosting: whether Parley listens, where, and the invite it hands out. */
import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { HostingDto } from '../../../shared/dto.ts';
import type { HostReach } from '../../../shared/reach-settings.ts';
import type { ParleyError } from '../../../shared/result.ts';
import { call } from '../api/parley.ts';

/** True for the bind addresses that listen on every interface (PROTOCOL.md section 5 invites, DESIGN warnings). */
export function isAllInterfaces(bind: string): boolean {
  const b = bind.trim().toLowerCase();
  return b === '0.0.0.0' || b === '::' || b === '[::]' || b === '0:0:0:0:0:0:0:0';
}

/** What each answer to "who can join" means for the listener: the bind address and whether the DHT listens too. */
export function hostingPlan(reach: HostReach, announce: boolean): { bind: string; dht: boolean; announce: boolean } {
  switch (reach) {
    case 'this-computer':
      return { bind: '127.0.0.1', dht: false, announce: false };
    case 'network':
      return { bind: '0.0.0.0', dht: false, announce };
    case 'anyone':
      return { bind: '0.0.0.0', dht: true, announce: false };
  }
}

/** The hosting store. */
export const useHostingStore = defineStore('hosting', () => {
  const hosting = ref<HostingDto | null>(null);
  const busy = ref(false);
  const error = ref<ParleyError | null>(null);

  async function load(): Promise<void> {
    const r = await call((api) => api.getHosting());
    if (r.ok) hosting.value = r.value;
  }

  /** Starts hosting for the chosen answer, and remembers the answer for next time. */
  async function start(port: number, reach: HostReach, announce: boolean): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    const plan = hostingPlan(reach, announce);
    // Remembering the choice is a convenience: a failure here must not stop hosting.
    await call((api) => api.updateSettings({ hostReach: reach, hostAnnounce: announce }));
    const r = await call((api) => api.startHosting({ port, ...plan }));
    busy.value = false;
    if (!r.ok) {
      error.value = r.error;
      return false;
    }
    hosting.value = r.value;
    return true;
  }

  async function stop(): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    const r = await call((api) => api.stopHosting());
    busy.value = false;
    if (!r.ok) {
      error.value = r.error;
      return false;
    }
    hosting.value = null;
    return true;
  }

  /** "Get a new reachable address": a new DHT key; old invites stop working through the internet path. */
  async function newAddress(): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    const r = await call((api) => api.newDhtKey());
    busy.value = false;
    if (!r.ok) {
      error.value = r.error;
      return false;
    }
    hosting.value = r.value;
    return true;
  }

  function onListening(h: HostingDto): void {
    hosting.value = h;
  }

  function onStopped(): void {
    hosting.value = null;
  }

  return { hosting, busy, error, load, start, stop, newAddress, onListening, onStopped };
});
