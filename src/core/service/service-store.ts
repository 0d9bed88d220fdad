/** What the service needs of an open data directory. */
import type { Store } from '../storage/data-dir.ts';

export type ServiceStore = Pick<Store, 'dir' | 'identity' | 'contacts' | 'messages' | 'settings' | 'trust' | 'reach' | 'transfers' | 'people' | 'invites' | 'close'>;
