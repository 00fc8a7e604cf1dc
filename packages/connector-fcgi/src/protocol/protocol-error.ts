// The one error of the codec: the peer broke the FastCGI protocol.

/** The peer sent bytes that are not FastCGI 1.0; the connection cannot go on. */
export class ProtocolError extends Error {
  readonly code = 'NETCGI_FCGI_PROTOCOL';

  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
