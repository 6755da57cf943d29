import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Files under `dir` that contain any of the secrets: what a job left on its container's disk ($BASH_ENV, the
 * crafting state, the workspace…) must not hold the token, the key or its password.
 */
export function filesHoldingSecrets(dir: string, secrets: string[]): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (entry !== '.git') walk(join(path, entry));
    } else if (stat.isFile() && stat.size < 8 * 1024 * 1024) {
      const text = readFileSync(path, 'latin1');
      if (secrets.some((secret) => text.includes(secret))) found.push(path);
    }
  };
  walk(dir);
  return found;
}
