/** Settings: name, default port, key protection, data folder, and the exported public key. */
import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { SettingsDto } from '../../../shared/dto.ts';
import type { ParleyError } from '../../../shared/result.ts';
import type { Args } from '../../../shared/ipc/schemas.ts';
import { call } from '../api/parley.ts';

/** Fallback before settings load: PROTOCOL.md section 5's default port. */
export const DEFAULT_PORT = 47800;

/** The settings store. */
export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<SettingsDto | null>(null);
  const publicKeyPem = ref<string | null>(null);
  const error = ref<ParleyError | null>(null);

  async function load(): Promise<void> {
    const r = await call((api) => api.getSettings());
    if (!r.ok) {
      error.value = r.error;
      return;
    }
    error.value = null;
    settings.value = r.value;
  }

  async function setDefaultPort(port: number): Promise<ParleyError | null> {
    const r = await call((api) => api.updateSettings({ defaultPort: port }));
    if (!r.ok) return r.error;
    settings.value = r.value;
    return null;
  }

  /** Re-seals the key under another protection (or a new passphrase); the settings say which is in use. */
  async function changeProtection(choice: Args<'app:change-protection'>[0]): Promise<ParleyError | null> {
    const r = await call((api) => api.changeProtection(choice));
    if (!r.ok) return r.error;
    settings.value = r.value;
    return null;
  }

  /** Saves the DHT's bootstrap nodes (the field as typed) and relay key; they apply the next time Parley starts. */
  async function setDht(changes: { dhtBootstrap: string; dhtRelay: string | null }): Promise<ParleyError | null> {
    const r = await call((api) => api.updateSettings(changes));
    if (!r.ok) return r.error;
    settings.value = r.value;
    return null;
  }

  /** Changes the files settings (size cap, auto-accept from verified contacts). */
  async function setFiles(change: { maxFileSize?: number; autoAcceptVerified?: boolean }): Promise<ParleyError | null> {
    const r = await call((api) => api.updateSettings(change));
    if (!r.ok) return r.error;
    settings.value = r.value;
    return null;
  }

  /** Main's folder dialog for the download folder (the page never names a path). */
  async function pickDownloadDir(): Promise<ParleyError | null> {
    const r = await call((api) => api.pickDownloadDir());
    if (!r.ok) return r.error;
    settings.value = r.value;
    return null;
  }

  /** "Host when Parley starts" on or off (with the remembered who-can-join answer). */
  async function setHostAtStart(on: boolean): Promise<ParleyError | null> {
    const r = await call((api) => api.updateSettings({ hostAtStart: on }));
    if (!r.ok) return r.error;
    settings.value = r.value;
    return null;
  }

  /** Keeps the settings' copy of the name in step after the identity was renamed. */
  function nameChanged(name: string): void {
    if (settings.value !== null) settings.value = { ...settings.value, name };
  }

  async function exportPublicKey(): Promise<ParleyError | null> {
    const r = await call((api) => api.exportPublicKey());
    if (!r.ok) return r.error;
    publicKeyPem.value = r.value;
    return null;
  }

  return { settings, publicKeyPem, error, load, setDefaultPort, setDht, setHostAtStart, setFiles, pickDownloadDir, changeProtection, nameChanged, exportPublicKey };
});
