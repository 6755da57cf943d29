import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { GitHead } from './state';

// Promisified on use: touching execFile at load time would load node:child_process for every command (CLI build.mjs).
function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return promisify(execFile)(file, args, options);
}

/**
 * Strips credentials from remote URLs (https://user:token@host/… → https://host/…) before they are recorded, as
 * Chainloop does (Go url.Parse, User = nil); scp-like `git@host:path` remotes stay as they are.
 */
export function redactRemoteUrl(url: string): string {
  return url.replace(/^(\w[\w+.-]*:\/\/)[^/@]*@/, '$1');
}

/**
 * The HEAD commit of the git checkout at `cwd`, or undefined when there is none (or git is not installed). Recorded
 * as Chainloop's go-git reading records it: the AUTHOR date in UTC (RFC 3339, seconds), the raw message (every line,
 * trailing newline included), the `gpgsig` header's armored signature (PGP or SSH) when the commit is signed, and
 * the remotes with credentials stripped.
 */
export async function readGitHead(cwd: string): Promise<GitHead | undefined> {
  try {
    // Both git commands at once: each is a process start (~15 ms) on the path of every `init`.
    const [object, remotes] = await Promise.all([readHeadObject(cwd), readRemotes(cwd)]);
    if (!object) return undefined;
    const commit = parseCommitObject(object.raw);
    if (!commit) return undefined;
    return { hash: object.hash, ...commit, remotes };
  } catch {
    return undefined;
  }
}

/** `git cat-file --batch` with HEAD: the commit's id and its raw object, in one process. */
function readHeadObject(cwd: string): Promise<{ hash: string; raw: string } | undefined> {
  return new Promise((resolve) => {
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', () => resolve(undefined));
    child.stdin.once('error', () => {});
    child.once('close', () => {
      const output = Buffer.concat(chunks);
      const newline = output.indexOf(0x0a);
      const header = /^([0-9a-f]{40}|[0-9a-f]{64}) commit (\d+)$/.exec(
        output.subarray(0, Math.max(newline, 0)).toString(),
      );
      if (newline < 0 || !header) return resolve(undefined);
      const size = Number(header[2]);
      resolve({ hash: header[1], raw: output.subarray(newline + 1, newline + 1 + size).toString('utf8') });
    });
    child.stdin.end('HEAD\n');
  });
}

/** Parses a raw commit object the way go-git's Commit.Decode does. */
export function parseCommitObject(raw: string): Omit<GitHead, 'hash' | 'remotes'> | undefined {
  const end = raw.indexOf('\n\n');
  const headerText = end < 0 ? raw : raw.slice(0, end);
  const message = end < 0 ? '' : raw.slice(end + 2);
  let author: { name: string; email: string; date: string } | undefined;
  let signature = '';
  let inSignature = false;
  for (const line of headerText.split('\n')) {
    if (line.startsWith(' ')) {
      // A continuation line; go-git trims every leading space of a signature's continuation lines.
      if (inSignature) signature += `${line.replace(/^ +/, '')}\n`;
      continue;
    }
    inSignature = false;
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'author') author = parseSignatureLine(value);
    else if (key === 'gpgsig') {
      signature += `${value}\n`;
      inSignature = true;
    }
  }
  if (!author) return undefined;
  return {
    authorName: author.name,
    authorEmail: author.email,
    date: author.date,
    message,
    ...(signature && { signature }),
  };
}

/** `Name <email> 1700000000 +0200` → the date in UTC, RFC 3339 without fractions (Go's time.RFC3339 of a UTC time). */
function parseSignatureLine(value: string): { name: string; email: string; date: string } {
  const open = value.indexOf('<');
  const close = value.indexOf('>', open);
  const name = (open < 0 ? value : value.slice(0, open)).trim();
  const email = open < 0 || close < 0 ? '' : value.slice(open + 1, close);
  const seconds = Number((close < 0 ? '' : value.slice(close + 1)).trim().split(/\s+/)[0]);
  const date = Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
  return { name, email, date };
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
