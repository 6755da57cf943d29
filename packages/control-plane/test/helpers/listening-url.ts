import type { ChildProcess } from 'node:child_process';

/**
 * Collects the stderr of a control plane process just started and resolves with the URL of its `listening on` line;
 * rejects with everything it printed when it exits first or stays silent for `timeoutMs`. Shared by every test
 * helper that starts a real control plane (this package's, core's, the CLI's, e2e's).
 */
export function waitForListening(child: ChildProcess, timeoutMs = 15_000): { url: Promise<string>; output(): string } {
  let output = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    output += chunk;
  });
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`control plane did not start in ${timeoutMs / 1000} s:\n${output}`)),
      timeoutMs,
    );
    const onData = () => {
      const match = /listening on (https?:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      resolve(match[1]);
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited with ${code} before listening:\n${output}`));
    });
  });
  return { url, output: () => output };
}
