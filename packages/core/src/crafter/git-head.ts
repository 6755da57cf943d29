import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { GitHead } from './state';

// Promisified on use: touching execFile at load time would load node:child_process for every command (CLI build.mjs).
function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return promisify(execFile)(file, args, options);
}

/** Strips credentials from remote URLs (https://user:token@host/… → https://host/…) before they are recorded. */
export function redactRemoteUrl(url: string): string {
  return url.replace(/^(\w[\w+.-]*:\/\/)[^/@]*@/, '$1');
}

/** The HEAD commit of the git checkout at `cwd`, or undefined when there is none (or git is not installed). */
export async function readGitHead(cwd: string): Promise<GitHead | undefined> {
  try {
    const separator = '\x1f';
    // Both git commands at once: each is a process start (~15 ms) on the path of every `init`.
    const [{ stdout }, remotes] = await Promise.all([
      run('git', ['log', '-1', `--format=%H${separator}%an${separator}%ae${separator}%cI${separator}%B`], {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      }),
      readRemotes(cwd),
    ]);
    const [hash, authorName, authorEmail, date, ...message] = stdout.split(separator);
    if (!hash || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(hash)) return undefined;
    return { hash, authorName, authorEmail, date, message: message.join(separator).trim(), remotes };
  } catch {
    return undefined;
  }
}

async function readRemotes(cwd: string): Promise<GitHead['remotes']> {
  try {
    const { stdout } = await run('git', ['remote', '-v'], { cwd });
    const remotes = new Map<string, string>();
    for (const line of stdout.split('\n')) {
      const match = /^(\S+)\s+(\S+)\s+\(fetch\)$/.exec(line.trim());
      if (match) remotes.set(match[1], redactRemoteUrl(match[2]));
    }
    return [...remotes].map(([name, url]) => ({ name, url }));
  } catch {
    return [];
  }
}
