/** Why a port could not be bound, in the service's error codes. */
export class ListenError extends Error {
  override name = 'ListenError';
  readonly code: 'port-in-use' | 'bad-input' | 'internal';
  constructor(code: 'port-in-use' | 'bad-input' | 'internal', message: string) {
    super(message);
    this.code = code;
  }
}

/** The ListenError for a bind failure of host:port. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): ListenError {
  if (err.code === 'EADDRINUSE') return new ListenError('port-in-use', `port ${port} on ${host} is already in use`);
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EINVAL') {
    return new ListenError('bad-input', `cannot listen on ${host}: not an address of this computer`);
  }
  if (err.code === 'EACCES') return new ListenError('port-in-use', `port ${port} needs privileges this process does not have`);
  return new ListenError('internal', `cannot listen on ${host}:${port} (${err.code ?? err.message})`);
}
