/** How a peer is connected, as the conversation header says it: same network or internet, direct or relayed. */
import type { FramedConnection } from '../net/framed-connection.ts';
import { isPrivateAddress } from '../net/dht-carrier.ts';
import type { ConnectionDto } from '../../shared/dto.ts';

/** The connection's path and route, from what the carrier knows. */
export function describeConnection(conn: FramedConnection): ConnectionDto {
  if (conn.path === 'dht') {
    const carrier = conn.socket as { info?: () => { relayed: boolean; sameNetwork: boolean } };
    const info = typeof carrier.info === 'function' ? carrier.info() : { relayed: false, sameNetwork: false };
    return { path: 'dht', relayed: info.relayed, sameNetwork: info.sameNetwork };
  }
  return { path: 'tcp', relayed: false, sameNetwork: isPrivateAddress(conn.remoteAddress) };
}
