import { createServer, type Server } from 'node:net';
import { ChainloopError } from '@chainloop-ts/core';

/** The listen address held while the control plane prepares its data directory; released just before it listens. */
export interface PortReservation {
  /** The bound port: the one asked for, or the one picked when 0 was. */
  port: number;
  release(): Promise<void>;
}

/**
 * Binds host:port before anything is written, so a start that cannot listen (a busy port, an address not on this
 * machine) fails before creating the data directory, the admin token, the database or the signing CA. The port stays
 * bound while those are prepared; connections made meanwhile are closed (nobody has been told the address yet).
 */
export async function reservePort(host: string, port: number): Promise<PortReservation> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    throw listenFailed(host, port, error);
  });
  const address = server.address();
  let released: Promise<void> | undefined;
  return {
    port: typeof address === 'object' && address ? address.port : port,
    release: () => {
      released ??= closeServer(server);
      return released;
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** `cannot listen on HOST:PORT: why: what to do`, for a failed bind. */
export function listenFailed(host: string, port: number, error: unknown): ChainloopError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const [reason, fix] = ((): [string, string] => {
    switch (code) {
      case 'EADDRINUSE':
        return [
          `port ${port} is in use by another process`,
          'stop that process, or pick another port with --listen (port 0 picks a free one)',
        ];
      case 'EACCES':
      case 'EPERM':
        return [
          `this user may not bind port ${port} (ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
          'pick a port above 1023 with --listen',
        ];
      case 'EADDRNOTAVAIL':
        return [`${host} is not an address of this machine`, 'pick one of its addresses, or 0.0.0.0, with --listen'];
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EAI_NONAME':
        return [`host ${host} does not resolve`, 'pick an IP address or a resolvable host name with --listen'];
      default:
        return [error instanceof Error ? error.message : String(error), 'pick another address with --listen'];
    }
  })();
  return new ChainloopError('LISTEN_FAILED', `cannot listen on ${address}: ${reason}: ${fix}`);
}
