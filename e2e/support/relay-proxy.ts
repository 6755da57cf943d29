import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test may do with each request on its way through. */
export interface RelayHooks {
  /** Awaited before the request is sent on: hold it back, e.g. until another request has been answered. */
  beforeForward?(request: http.IncomingMessage): Promise<void>;
  /**
   * Sees every answer before it is relayed; returns true when it has dealt with the answer itself (e.g. consumed it
   * and dropped the client's connection), false to relay it unchanged.
   */
  onAnswer?(request: http.IncomingMessage, answer: http.IncomingMessage): boolean;
}

export interface RelayProxy {
  url: string;
  stop(): Promise<void>;
}

/** An HTTP proxy on loopback in front of `target` (a control plane), relaying everything but what the hooks change. */
export async function startRelayProxy(target: string, hooks: RelayHooks): Promise<RelayProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer(async (request, response) => {
    request.pause();
    await hooks.beforeForward?.(request);
    const headers = { ...request.headers };
    delete headers.expect;
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers, agent },
      (answer) => {
        if (hooks.onAnswer?.(request, answer)) return;
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on('error', () => request.socket.destroy());
    request.pipe(forward);
    request.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
