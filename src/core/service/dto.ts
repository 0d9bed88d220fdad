/** How the core's stored records become the DTOs that adapters see (src/shared/dto.ts). */
import type { ConnectionDto, ContactDto, MessageDto, RejoiningDto } from '../../shared/dto.ts';
import type { ContactSummary } from '../storage/contacts-repo.ts';
import type { StoredMessage } from '../storage/message-codec.ts';
import type { TrustMark } from '../storage/trust-repo.ts';

/** A stored message as the UI and CLI see it; `thread`: the current key of its person (default: its own key). */
export function toMessageDto(m: StoredMessage, thread: string = m.peer): MessageDto {
  return {
    peer: thread,
    id: m.id,
    seq: m.seq,
    direction: m.direction,
    ts: m.ts,
    storedAt: m.storedAt,
    text: m.text,
    state: m.state,
    kind: m.kind,
    key: m.peer,
    replyTo: m.replyTo,
    reactTo: m.reactTo,
  };
}

/** A contact summary with what only the service knows: presence, the open trust warning, the safety number. */
export function toContactDto(c: ContactSummary, live: { connection: ConnectionDto | null; rejoining: RejoiningDto | null; mark: TrustMark | null; safetyNumber: string; previousKeys: number }): ContactDto {
  return {
    fingerprint: c.fingerprint,
    name: c.name,
    nickname: c.nickname,
    displayName: c.nickname ?? c.name,
    status: c.status,
    previousKeys: live.previousKeys,
    verified: c.verified,
    verifiedMethod: c.verifiedMethod,
    verifiedAt: c.verifiedAt,
    blocked: live.mark?.blocking ? live.mark.code : null,
    replaces: live.mark?.replaces || null,
    online: live.connection !== null,
    connection: live.connection,
    rejoining: live.rejoining,
    unread: c.unread,
    lastAddress: c.lastAddress,
    firstSeen: c.firstSeen,
    lastSeen: c.lastSeen,
    lastMessage: c.lastMessage ? { text: c.lastMessage.text, at: c.lastMessage.storedAt, direction: c.lastMessage.direction } : null,
    safetyNumber: live.safetyNumber,
  };
}

/** The sentence of a trust warning, naming who changed. */
export function describeWarning(code: 'key-changed' | 'name-collision', newName: string, oldName: string): string {
  return code === 'key-changed'
    ? `the address of ${JSON.stringify(oldName)} answered with a new key${newName ? ` (presenting itself as ${JSON.stringify(newName)})` : ''}: it is a separate, unverified contact until you check it`
    : `a new identity presents the name ${JSON.stringify(newName)} of a known contact: it is a separate, unverified contact until you check it`;
}
