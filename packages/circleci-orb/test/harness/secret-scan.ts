import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files under `dir` that contain any of the secrets: what a job left on its container's disk ($BASH_ENV, the
 * crafting state, the workspace…) must not hold the token, the key or its password.
 */
export function filesHoldingSecrets(dir: string, secrets: string[]): string[] {
  // A scan for nothing, or of nothing, would pass whatever leaked.
  if (secrets.length === 0 || secrets.some((secret) => secret.length < 8)) {
    throw new Error(`secret scan of ${dir}: no secrets, or one too short to search for`);
  }
  const found: string[] = [];
  let scanned = 0;
  const walk = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== '.git') walk(join(path, entry));
    } else if (stat.isFile() && stat.size < 8 * 1024 * 1024) {
      scanned++;
      const text = readFileSync(path, 'latin1');
      if (secrets.some((secret) => text.includes(secret))) found.push(path);
    }
  };
  walk(dir);
  if (scanned === 0) throw new Error(`secret scan of ${dir}: the job left no file to scan`);
  return found;
}
