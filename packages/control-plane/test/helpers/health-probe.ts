import { spawn } from 'node:child_process';

export interface ProbeRecord {
  /** When each /healthz answer ended, in ms since the epoch (performance.timeOrigin + now(), comparable across processes). */
  answeredAt: number[];
  /** The slowest answer, in ms. */
  slowestMs: number;
}

/**
 * Asks GET /healthz back to back from a separate process (so the caller's own work does not delay it) until `done`
 * settles. Used by the bounded-push test (were other requests answered while a push was inspected?) and by the
 * bench (how long did the slowest wait?).
 */
export async function probeHealthWhile(url: string, done: Promise<unknown>): Promise<ProbeRecord> {
  const script = `
    const http = require('node:http');
    const answeredAt = [];
    let slowestMs = 0, stop = false;
    process.stdin.on('data', () => { stop = true; });
    const once = () => {
      const started = performance.now();
      http.get(${JSON.stringify(`${url}/healthz`)}, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => {
          const now = performance.now();
          slowestMs = Math.max(slowestMs, now - started);
          answeredAt.push(performance.timeOrigin + now);
          if (stop) process.stdout.write(JSON.stringify({ answeredAt, slowestMs }), () => process.exit(0));
          else setTimeout(once, 5);
        });
      });
    };
    once();
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await done.catch(() => undefined);
  child.stdin.end('stop');
  await exited;
  return JSON.parse(output);
}
