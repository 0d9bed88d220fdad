/** Hosting: whether Parley listens, where, and the invite it hands out. */
import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { HostingDto } from '../../../shared/dto.ts';
import type { ParleyError } from '../../../shared/result.ts';
import { call } from '../api/parley.ts';

/** True for the bind addresses that listen on every interface (PROTOCOL.md section 5 invites, DESIGN warnings). */
export function isAllInterfaces(bind: string): boolean {
  const b = bind.trim().toLowerCase();
  return b === '0.0.0.0' || b === '::' || b === '[::]' || b === '0:0:0:0:0:0:0:0';
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

  async function start(port: number, bind: string): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    const r = await call((api) => api.startHosting({ port, bind: bind.trim() }));
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

  function onListening(h: HostingDto): void {
    hosting.value = h;
  }

  function onStopped(): void {
    hosting.value = null;
  }

  return { hosting, busy, error, load, start, stop, onListening, onStopped };
});
