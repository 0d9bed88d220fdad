/**
 * The ParleyService's options and the wiring of its parts (see parley-service.ts for what each
 * does). Kept apart so that the service itself reads as the list of its commands.
 */
import { MULTICAST_DISCOVERY, type Discovery } from '../net/discovery.ts';
import type { ListenerLimits } from '../net/listener.ts';
import type { HelloExtensions } from '../protocol/hello.ts';
import type { SessionTimers } from '../protocol/secure-session.ts';
import type { KeyProtection } from '../../shared/dto.ts';
import type { BackoffPolicy } from './backoff.ts';
import { Connector } from './connector.ts';
import { ContactView } from './contact-view.ts';
import { Conversations } from './conversations.ts';
import { Delivery } from './delivery.ts';
import { EventHub } from './events.ts';
import { FileTransfers, type FilesSettings } from './file-transfers.ts';
import { Hosting } from './hosting.ts';
import { People } from './people.ts';
import { Reach, type DhtSettings } from './reach.ts';
import { Rejoining } from './rejoining.ts';
import type { ServiceStore } from './service-store.ts';
import { SessionLifecycle } from './session-lifecycle.ts';
import { FILES_FEATURE, SessionTable } from './session-table.ts';
import { TrustGate } from './trust-gate.ts';

export type ServiceOptions = {
  readonly store: ServiceStore;
  readonly keyProtection: KeyProtection;
  /** Rejoin contacts this node joined, with backoff, after a connection drops (default true). */
  readonly autoReconnect?: boolean;
  /** Hold sending to a contact with a blocking trust warning until the user decides (default true). */
  readonly blockOnKeyChange?: boolean;
  /** Make every new identity a contact instead of a message request (the headless peer; default false). */
  readonly acceptRequests?: boolean;
  readonly sessionTimers?: SessionTimers;
  readonly handshakeTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly listenerLimits?: Partial<ListenerLimits>;
  /** Reach peers through HyperDHT too (PROTOCOL.md section 8); absent: TCP only. */
  readonly dht?: DhtSettings;
  /** Incoming files (see FilesSettings); absent: offers wait for acceptFile(id, dir), 4 GiB cap. */
  readonly files?: FilesSettings;
  /** Local network discovery (default: real multicast DNS-SD; end-to-end tests pass a stand-in). */
  readonly discovery?: Discovery;
  /** Diagnostics for humans (never key material). */
  readonly log?: (line: string) => void;
};

/** Every part of a running service. */
export type ServiceParts = {
  readonly store: ServiceStore;
  readonly hub: EventHub;
  readonly sessions: SessionTable;
  readonly contacts: ContactView;
  readonly delivery: Delivery;
  readonly files: FileTransfers;
  readonly trust: TrustGate;
  readonly connector: Connector;
  readonly reach: Reach | null;
  readonly hosting: Hosting;
  readonly rejoin: Rejoining;
  readonly lifecycle: SessionLifecycle;
  readonly people: People;
  readonly conversations: Conversations;
};

/** Builds the parts; `closed` tells whether the service is closing. */
export function buildParts(options: ServiceOptions, closed: () => boolean): ServiceParts {
  const { store } = options;
  const log = (line: string): void => options.log?.(line);
  const hub = new EventHub(log);
  const sessions = new SessionTable({ ownFingerprint: store.identity.fingerprint, ...(options.sessionTimers ? { timers: options.sessionTimers } : {}), hub, log });
  let rejoin: Rejoining | null = null;
  const contacts = new ContactView(store, { connection: (peer) => sessions.get(peer)?.connection ?? null, rejoining: (peer) => rejoin?.state(peer) ?? null }, hub);
  const link = (peer: string) => sessions.get(peer);
  const blockOnKeyChange = options.blockOnKeyChange ?? true;
  let files: FileTransfers | null = null;
  const delivery = new Delivery({ store, hub, contacts, link, blockOnKeyChange, offer: (l, id) => files?.offerBytes(l, id) ?? null });
  files = new FileTransfers({ store, hub, contacts, link, flush: (l) => delivery.flush(l), blockOnKeyChange, settings: options.files, log });
  const trust = new TrustGate(store, hub, contacts, options.acceptRequests ?? false, (oldKey, newKey) => rejoin?.merged(oldKey, newKey));
  let lifecycle: SessionLifecycle | null = null;
  let hosting: Hosting | null = null;
  let reach: Reach | null = null;
  // What this node announces in its hello (PROTOCOL.md section 7).
  const extensions = (): HelloExtensions => ({ features: [FILES_FEATURE], dht: reach?.key ?? null });
  const connector = new Connector({
    identity: store.identity,
    displayName: () => store.settings.getDisplayName(),
    extensions,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs,
    listenerLimits: options.listenerLimits,
    onAuthenticated: (conn, result, ctx) => lifecycle?.authenticated(conn, result, ctx),
    log,
  });
  reach = options.dht ? new Reach({ store, settings: options.dht, accept: (conn) => connector.acceptCarried(conn), onChange: () => hosting?.changed(), log }) : null;
  const reachNow = (): Reach | null => reach;
  hosting = new Hosting({ store, connector, reach: reachNow, hub, discovery: options.discovery ?? MULTICAST_DISCOVERY, log });
  rejoin = new Rejoining({
    store,
    connector,
    reach: reachNow,
    enabled: options.autoReconnect ?? true,
    backoff: options.backoff,
    // Only contacts: never a request, a blocked key, or a key archived on another thread.
    shouldTry: (peer) => !closed() && !sessions.has(peer) && contacts.get(peer)?.status === 'accepted',
    log,
    // The sidebar's "Reconnecting…" (issue 12): a contact's rejoin started, was scheduled or ended.
    onChange: (peer) => {
      if (!closed()) contacts.changed(peer);
    },
  });
  lifecycle = new SessionLifecycle({ store, hub, sessions, contacts, delivery, files, trust, rejoin, closed, log });
  const people = new People({ store, hub, contacts, sessions, rejoin });
  const withFile = files;
  const conversations = new Conversations(store, contacts, (dto) => withFile.withFile(dto));
  return { store, hub, sessions, contacts, delivery, files, trust, connector, reach, hosting, rejoin, lifecycle, people, conversations };
}
