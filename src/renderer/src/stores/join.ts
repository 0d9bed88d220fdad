/** Joining a host: the pasted target, progress while connecting, and the outcome in plain words. */
import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { ParleyError } from '../../../shared/result.ts';
import { MAX_TARGET_LENGTH } from '../../../shared/text.ts';
import { call } from '../api/parley.ts';

/** Where a join attempt stands. */
export type JoinPhase = 'idle' | 'connecting' | 'failed' | 'connected';

/** The join store. */
export const useJoinStore = defineStore('join', () => {
  const target = ref('');
  const phase = ref<JoinPhase>('idle');
  const error = ref<ParleyError | null>(null);
  const peer = ref<string | null>(null);
  /** The target of the attempt in progress or last finished (the field may have changed since). */
  const attempted = ref('');

  /** Connects to the current target; resolves with the peer's fingerprint, or null on failure. */
  async function join(): Promise<string | null> {
    const t = target.value.trim();
    if (phase.value === 'connecting') return null;
    if (t === '' || t.length > MAX_TARGET_LENGTH) {
      phase.value = 'failed';
      error.value = { code: 'bad-input', message: t === '' ? 'Paste an invite or type HOST:PORT.' : 'That is far too long for an invite.' };
      return null;
    }
    attempted.value = t;
    phase.value = 'connecting';
    error.value = null;
    peer.value = null;
    const r = await call((api) => api.join(t));
    if (!r.ok) {
      phase.value = 'failed';
      error.value = r.error;
      return null;
    }
    phase.value = 'connected';
    peer.value = r.value.peer;
    return r.value.peer;
  }

  /** Fills the field (e.g. from a parley:// link) and clears the last outcome. */
  function prefill(text: string): void {
    target.value = text;
    reset();
  }

  function reset(): void {
    if (phase.value === 'connecting') return;
    phase.value = 'idle';
    error.value = null;
    peer.value = null;
  }

  return { target, phase, error, peer, attempted, join, prefill, reset };
});
