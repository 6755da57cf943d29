import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { LogSink } from '../log-sink';

/** Requests closed for a stalled body: already logged, so the error that follows is not logged again. */
export const timedOutBodies = new WeakSet<IncomingMessage>();

/**
 * The body idle timeout: while a request body is being received, a connection that sends no byte for `idleMs` is
 * closed, so a stalled upload cannot hold a socket, file handles and a temp file forever (the aborted upload removes
 * its temp file at once). It is the socket's own inactivity timer, armed for the body only: a slow handler (a large
 * blob's final fsync) or a slow download is not cut off by it.
 */
export function closeStalledBodies(app: FastifyInstance, idleMs: number, log: LogSink | undefined): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const raw = request.raw;
    const hasBody = raw.headers['content-length'] !== undefined || raw.headers['transfer-encoding'] !== undefined;
    const socket = raw.socket;
    if (!hasBody || raw.complete || !socket) return done();
    socket.setTimeout(idleMs);
    raw.once('end', () => socket.setTimeout(0));
    // A listener here replaces Node's default (destroy the socket silently): log the reason, then close.
    raw.once('timeout', () => {
      log?.write(
        'WRN',
        `${raw.method} ${(raw.url ?? '').split('?')[0]}: no byte of the request body for ${idleMs / 1000}s, connection closed`,
      );
      timedOutBodies.add(raw);
      socket.destroy();
    });
    done();
  });
}
