/** Joining a host: the pasted target, progress in steps while connecting, the outcome in plain words, and the Nearby list. */
import { ref } from 'vue';
import { defineStore } from 'pinia';
import type { JoinProgressDto, NearbyDto } from '../../../shared/dto.ts';
import type { ParleyError } from '../../../shared/result.ts';
import { MAX_TARGET_LENGTH } from '../../../shared/text.ts';
import { call } from '../api/parley.ts';

/** Where a join attempt stands. */
export type JoinPhase = 'idle' | 'connecting' | 'failed' | 'connected';

/** The steps a join goes through, in order (the core reports the first three; the result is the last). */
export const JOIN_STEPS = ['finding', 'path', 'securing', 'connected'] as const;
export type JoinStepName = (typeof JOIN_STEPS)[number];

/** The join store. */
export const useJoinStore = defineStore('join', () => {
  const target = ref('');
  const phase = ref<JoinPhase>('idle');
  const error = ref<ParleyError | null>(null);
  const peer = ref<string | null>(null);
  /** The target of the attempt in progress or last finished (the field may have changed since). */
  const attempted = ref('');
  /** The furthest step reached by any path of the attempt (null before the first report). */
  const step = ref<JoinStepName | null>(null);
  /** Whether the internet path (the DHT) is being tried in this attempt. */
  const viaDht = ref(false);
  /** Hosts found on the local network, when last looked. */
  const nearby = ref<NearbyDto[]>([]);
  const browsing = ref(false);
  const browsed = ref(false);
  const browseError = ref<ParleyError | null>(null);
  // The invite of the Nearby entry the user picked: joining it expects its fingerprint but never verifies.
  let nearbyInvite: string | null = null;
  // Counts attempts, so that the answer to a cancelled one is recognised and ignored.
  let attemptNo = 0;

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
    step.value = null;
    viaDht.value = false;
    const mine = ++attemptNo;
    const r = await call((api) => api.join(t, { nearby: t === nearbyInvite }));
    if (mine !== attemptNo) {
      // Cancelled meanwhile: the core stopped it (its answer is `cancelled`). A success can only mean
      // that the Cancel reached the core after it had connected: undo that, the user said no.
      if (r.ok) await call((api) => api.disconnect(r.value.peer));
      return null;
    }
    if (!r.ok) {
      phase.value = 'failed';
      error.value = r.error;
      return null;
    }
    phase.value = 'connected';
    step.value = 'connected';
    peer.value = r.value.peer;
    return r.value.peer;
  }

  /**
   * Stops the attempt in progress in the core (dials stop, a handshake in progress is closed, nothing
   * is added); the field keeps what was typed.
   */
  async function cancel(): Promise<void> {
    if (phase.value !== 'connecting') return;
    attemptNo++;
    phase.value = 'idle';
    step.value = null;
    error.value = null;
    await call((api) => api.cancelJoin());
  }

  /** A step reported by the core while connecting; steps only move forward. */
  function onProgress(p: JoinProgressDto): void {
    if (phase.value !== 'connecting') return;
    if (p.path === 'dht') viaDht.value = true;
    if (step.value === null || JOIN_STEPS.indexOf(p.step) > JOIN_STEPS.indexOf(step.value)) step.value = p.step;
  }

  /** Looks for hosts that announce themselves on the local network. */
  async function browse(): Promise<void> {
    if (browsing.value) return;
    browsing.value = true;
    browseError.value = null;
    const r = await call((api) => api.browseNearby());
    browsing.value = false;
    browsed.value = true;
    if (!r.ok) {
      browseError.value = r.error;
      return;
    }
    nearby.value = r.value;
  }

  /** Puts a Nearby host in the field; a join of exactly that invite is marked as from the network (never verified). */
  function pickNearby(host: NearbyDto): void {
    nearbyInvite = host.invite;
    prefill(host.invite);
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
    step.value = null;
  }

  return { target, phase, error, peer, attempted, step, viaDht, nearby, browsing, browsed, browseError, join, cancel, onProgress, browse, pickNearby, prefill, reset };
});
