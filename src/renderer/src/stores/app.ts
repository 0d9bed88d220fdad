/** The app's phase (first run, locked, ready, error) and the user's own identity. */
import { computed, ref } from 'vue';
import { defineStore } from 'pinia';
import type { AppStatus } from '../../../shared/ipc/schemas.ts';
import type { IdentityDto } from '../../../shared/dto.ts';
import type { ParleyError } from '../../../shared/result.ts';
import { call, findParleyApi } from '../api/parley.ts';

/** What the first-run form asks for. */
export type SetupChoice = {
  readonly name: string;
  readonly protection: 'keychain' | 'passphrase' | 'key-file';
  readonly passphrase: string | null;
};

/** The app store: status from the core, the identity, and the first-run hand-over. */
export const useAppStore = defineStore('app', () => {
  const status = ref<AppStatus | null>(null);
  const identity = ref<IdentityDto | null>(null);
  /** True right after setup, so the user sees their new fingerprint before anything else. */
  const showIdentityIntro = ref(false);
  const loadError = ref<string | null>(null);

  const phase = computed<AppStatus['phase'] | 'loading'>(() => {
    if (loadError.value !== null) return 'error';
    return status.value?.phase ?? 'loading';
  });
  const problem = computed(() => loadError.value ?? status.value?.problem ?? null);
  const keychainAvailable = computed(() => status.value?.keychainAvailable ?? false);

  async function load(): Promise<void> {
    if (findParleyApi() === null) {
      loadError.value = 'Parley’s connection to its core is missing. Start Parley from its desktop app.';
      return;
    }
    const r = await call((api) => api.getStatus());
    if (!r.ok) {
      loadError.value = r.error.message || 'Parley could not read its status.';
      return;
    }
    loadError.value = null;
    status.value = r.value;
    identity.value = r.value.identity;
  }

  function becomeReady(id: IdentityDto): void {
    identity.value = id;
    status.value = { phase: 'ready', keychainAvailable: status.value?.keychainAvailable ?? false, identity: id, problem: null };
  }

  async function setup(choice: SetupChoice): Promise<ParleyError | null> {
    const r = await call((api) => api.setup({ name: choice.name, protection: choice.protection, passphrase: choice.passphrase }));
    if (!r.ok) return r.error;
    showIdentityIntro.value = true;
    becomeReady(r.value);
    return null;
  }

  async function unlock(passphrase: string): Promise<ParleyError | null> {
    const r = await call((api) => api.unlock(passphrase));
    if (!r.ok) return r.error;
    becomeReady(r.value);
    return null;
  }

  async function setName(name: string): Promise<ParleyError | null> {
    const r = await call((api) => api.setName(name));
    if (!r.ok) return r.error;
    identity.value = r.value;
    return null;
  }

  function finishIntro(): void {
    showIdentityIntro.value = false;
  }

  return { status, identity, showIdentityIntro, phase, problem, keychainAvailable, load, setup, unlock, setName, finishIntro };
});
