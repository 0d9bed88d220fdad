/**
 * Hosting: listening on TCP and, when asked, on HyperDHT (PROTOCOL.md section 8), with the invite
 * and the reachability the host screen shows. The DHT key is known at once (the invite carries
 * it); announcing goes on in the background and `hosting-changed` tells how it went. With
 * `announce`, the host also advertises itself on the local network (DNS-SD) while it listens.
 *
 * Invite tokens (issue 12): the invite shown while hosting carries a reusable token that stays the
 * same across restarts (an invite handed out yesterday still works after "Host when Parley
 * starts"); createInvite makes more, one-time or reusable; revokeInvites ends them all and gives
 * the host screen a new one.
 */
import type { Advertisement, Discovery } from '../net/discovery.ts';
import { formatInvite } from '../protocol/invite.ts';
import type { HostingDto, InviteDto } from '../../shared/dto.ts';
import { reachableAddresses } from './addresses.ts';
import type { Connector } from './connector.ts';
import { ServiceError } from './errors.ts';
import type { EventHub } from './events.ts';
import type { Reach } from './reach.ts';
import type { ServiceStore } from './service-store.ts';

/** See the module comment. */
export class Hosting {
  readonly #store: ServiceStore;
  readonly #connector: Connector;
  readonly #reach: () => Reach | null;
  readonly #hub: EventHub;
  readonly #log: (line: string) => void;
  readonly #discovery: Discovery;
  #hosting: HostingDto | null = null;
  #token: string | null = null;
  #advert: Advertisement | null = null;

  constructor(options: { store: ServiceStore; connector: Connector; reach: () => Reach | null; hub: EventHub; discovery: Discovery; log: (line: string) => void }) {
    this.#store = options.store;
    this.#discovery = options.discovery;
    this.#connector = options.connector;
    this.#reach = options.reach;
    this.#hub = options.hub;
    this.#log = options.log;
  }

  /** The current hosting state, or null. */
  get current(): HostingDto | null {
    return this.#hosting;
  }

  /** Starts listening on bind:port (port 0 = any free port) and, with `dht`, on the DHT too. */
  async start(options: { port: number; bind: string; dht?: boolean; announce?: boolean }): Promise<HostingDto> {
    if (this.#connector.listening) throw new ServiceError('bad-input', `already hosting on ${this.#hosting?.host}:${this.#hosting?.port}`);
    const reach = this.#reach();
    if (options.dht && !reach) throw new ServiceError('bad-input', 'reaching peers through the DHT is not enabled');
    // Advertising a host that only this computer can reach would invite the network to fail.
    if (options.announce && isLoopback(options.bind)) throw new ServiceError('bad-input', 'a host that only this computer can reach cannot be found on the network');
    const { host, port } = await this.#connector.listen(options.bind, options.port);
    this.#token = this.#store.invites.hostingToken();
    if (options.announce) {
      const name = this.#store.settings.getDisplayName();
      this.#advert = this.#discovery.advertise({ name, port, fingerprint: this.#store.identity.fingerprint, log: this.#log });
    }
    this.#hosting = this.#dto(host, port, options.dht && reach ? reach.keyOf() : null);
    if (options.dht && reach) {
      reach.listen().then(
        () => this.changed(),
        (err: unknown) => {
          this.#log(`listening on the DHT failed: ${err instanceof Error ? err.message : String(err)}`);
          this.changed();
        },
      );
    }
    this.#hub.emit({ type: 'listening', hosting: this.#hosting });
    return this.#hosting;
  }

  /** A new invite with its own token (one-time unless `reusable`); needs hosting (it names our address). */
  createInvite(options: { reusable: boolean }): InviteDto {
    const current = this.#hosting;
    if (!current) throw new ServiceError('not-hosting', 'host first: an invite names the address people join');
    if (typeof options?.reusable !== 'boolean') throw new ServiceError('bad-input', 'say whether the invite is reusable');
    const tok = this.#store.invites.create({ reusable: options.reusable });
    return { invite: this.#invite(current.host, current.port, current.dht, tok), reusable: options.reusable };
  }

  /**
   * Ends every invite token (those createInvite made and the host screen's): joiners with an old
   * link become message requests. While hosting, the host screen gets a new invite at once.
   */
  revokeInvites(): HostingDto | null {
    this.#store.invites.revokeAll();
    if (this.#hosting) {
      this.#token = this.#store.invites.hostingToken();
      this.#hosting = this.#dto(this.#hosting.host, this.#hosting.port, this.#hosting.dht);
      this.#hub.emit({ type: 'hosting-changed', hosting: this.#hosting });
    }
    return this.#hosting;
  }

  /** Stops accepting new connections (TCP and DHT); established sessions go on. */
  async stop(): Promise<void> {
    this.#hosting = null;
    await this.#unannounce();
    await this.#reach()?.stopListening();
    if (!(await this.#connector.stopListening())) throw new ServiceError('not-hosting', 'not hosting');
    this.#hub.emit({ type: 'stopped-hosting' });
  }

  /** Our DHT key changed: the invite changes with it. */
  rekeyed(key: string | null): void {
    if (!this.#hosting) return;
    this.#hosting = this.#dto(this.#hosting.host, this.#hosting.port, key);
    this.#hub.emit({ type: 'hosting-changed', hosting: this.#hosting });
  }

  /** The DHT's reachability may have changed: tell the host screen. */
  changed(): void {
    if (!this.#hosting || this.#hosting.dht === null) return;
    this.#hosting = { ...this.#hosting, reachability: this.#reach()?.reachability ?? null };
    this.#hub.emit({ type: 'hosting-changed', hosting: this.#hosting });
  }

  /** Forgets the state and stops advertising (the service is closing; the connector closes the listener). */
  async clear(): Promise<void> {
    this.#hosting = null;
    await this.#unannounce();
  }

  async #unannounce(): Promise<void> {
    const advert = this.#advert;
    this.#advert = null;
    await advert?.stop();
  }

  #invite(host: string, port: number, dht: string | null, tok: string | null): string {
    const name = this.#store.settings.getDisplayName();
    return formatInvite({ host: reachableAddresses(host)[0] ?? host, port, fp: this.#store.identity.fingerprint, dht, tok, name: name === '' ? null : name });
  }

  #dto(host: string, port: number, dht: string | null): HostingDto {
    const addresses = reachableAddresses(host);
    const invite = this.#invite(host, port, dht, this.#token);
    const reachability = dht === null ? null : (this.#reach()?.reachability ?? { state: 'checking' as const, reason: 'Starting the DHT…' });
    return { host, port, invite, addresses, dht, reachability, discoverable: this.#advert !== null };
  }
}

function isLoopback(bind: string): boolean {
  const b = bind.trim().toLowerCase();
  return b === 'localhost' || b === '::1' || b === '[::1]' || b.startsWith('127.');
}
