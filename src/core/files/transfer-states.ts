/** How a transfer's wire reasons map to its stored states. */
import { type CancelReason, type FileMessage, readReason } from '../protocol/file-messages.ts';
import type { Transfer, TransferState } from '../storage/transfers-repo.ts';

/** True for a state nothing follows. */
export function isFinal(state: TransferState): boolean {
  return state === 'done' || state === 'declined' || state === 'cancelled' || state === 'failed';
}

/** The final state a reason leads to: refused before any byte (declined), given up (cancelled), or broken (failed). */
export function stateForReason(reason: CancelReason): TransferState {
  switch (reason) {
    case 'declined':
    case 'too-large':
      return 'declined';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed'; // no-space, changed, corrupt, unsupported
  }
}

/** The reason to put on the wire for an ended transfer (a local-only reason reads as `cancelled`). */
export function stateReason(t: Transfer): CancelReason {
  return readReason(t.reason ?? undefined);
}

/** The final message a peer is owed for an ended transfer: file-done, or file-cancel with its reason. */
export function owedMessage(t: Transfer): FileMessage {
  return t.state === 'done' ? { type: 'file-done', id: t.id } : { type: 'file-cancel', id: t.id, reason: stateReason(t) };
}
