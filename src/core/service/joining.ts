/**
 * Joining a target: an invite or HOST:PORT. With an invite's `dht` and the DHT enabled, TCP and the
 * DHT race and the first session that authenticates with the invite's fingerprint is kept.
 */
import { InviteError, parseJoinTarget } from '../protocol/invite.ts';
import type { Connector, JoinProgress } from './connector.ts';
import { ServiceError } from './errors.ts';
import type { Reach } from './reach.ts';

/** How a join reports its steps, whether an invite's matching fingerprint may verify the contact, and its cancel signal. */
export type JoinTargetOptions = { readonly verifyByInvite?: boolean; readonly onProgress?: (progress: JoinProgress) => void; readonly signal?: AbortSignal | undefined };

/** Resolves with the peer's fingerprint once the session is up; `bad-input` for a target that is neither. */
export async function joinTarget(target: string, connector: Connector, reach: Reach | null, options: JoinTargetOptions = {}): Promise<string> {
  let parsed;
  try {
    parsed = parseJoinTarget(target);
  } catch (err) {
    if (err instanceof InviteError) throw new ServiceError('bad-input', err.message);
    throw err;
  }
  const onProgress = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), signal: options.signal };
  if (parsed.kind === 'address') return connector.join([connector.tcpAttempt(parsed.host, parsed.port)], null, onProgress);
  const { host, port, fp, dht, via, tok } = parsed.invite;
  const attempts = [connector.tcpAttempt(host, port)];
  if (dht !== null && reach) attempts.push(reach.attempt(dht));
  // An invite made from a discovery record (via=lan), or one the caller says it found on the
  // network (verifyByInvite: false), expects its fp but never verifies (section 8); an invite
  // token goes back to its host in message 3 (docs/PROTOCOL.md section 10.1).
  const verify = (options.verifyByInvite ?? true) && via === undefined;
  return connector.join(attempts, fp, { viaInvite: verify, token: tok, ...onProgress });
}
