/**
 * The docs pages' shell examples, run as a user pastes them: each docs/*.md page's ```bash / ```sh blocks run verbatim,
 * in document order, in one bash per page (so exports, `cd` and background jobs carry from block to block), from an
 * empty temp folder with a fresh HOME and TMPDIR and the repository's built `chainloop` and `chainloop-control-plane`
 * on PATH. Every block exits 0; a block marked `<!-- exits N -->` shows a failure on purpose: it exits N and prints
 * each `# ERR …` line it shows. A block that cannot run here is marked `<!-- not run: why -->` right before its fence;
 * every other shell block must have run, so a new one cannot escape unseen.
 *
 * Ports: the pages start their control plane on the documented 127.0.0.1:8000. Instead of rewriting the port, each
 * page's bash runs in a network namespace of its own (`unshare -n`, loopback only, as routes.test.ts does), so the
 * pages, two runs of this test at once or a developer's own control plane on 8000 never meet, and the blocks run as
 * written. Nothing in a namespace can reach beyond its loopback.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { baseEnv } from '../support/cli';
import { repoRoot } from '../support/paths';
import { makeRelease } from '../support/release';

const SHELLS = new Set(['bash', 'sh', 'shell', 'zsh', 'console']);

type Expectation = { kind: 'run' } | { kind: 'not-run'; reason: string } | { kind: 'exits'; code: number };

interface Block {
  page: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  body: string;
  expect: Expectation;
}

/** What is wrong with the pages' fences and markers (checked by the first test, so one page cannot hide the rest). */
const markupProblems: string[] = [];

/** Every fenced block of a page, with the HTML comment marker on the line before it (blank lines between allowed). */
function fencedBlocks(page: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const lang = open[1].trim();
    let end = i + 1;
    while (end < lines.length && lines[end] !== '```') end++;
    if (end === lines.length) markupProblems.push(`${page}:${i + 1}: a fence that never closes`);
    if (lang === '')
      markupProblems.push(`${page}:${i + 1}: a fence without a language: name it (bash, sh, text, yaml, …)`);
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const comment = before >= 0 ? /^<!--\s*(.*?)\s*-->$/.exec(lines[before].trim()) : null;
    let expect: Expectation = { kind: 'run' };
    if (comment && SHELLS.has(lang)) {
      const notRun = /^not run:\s*(\S.*)$/.exec(comment[1]);
      const exits = /^exits ([1-9]\d*)$/.exec(comment[1]);
      if (notRun) expect = { kind: 'not-run', reason: notRun[1] };
      else if (exits) expect = { kind: 'exits', code: Number(exits[1]) };
      else
        markupProblems.push(
          `${page}:${before + 1}: unknown marker ${comment[0]}: use <!-- not run: why --> or <!-- exits N -->`,
        );
    }
    blocks.push({ page, line: i + 1, lang, body: `${lines.slice(i + 1, end).join('\n')}\n`, expect });
    i = end;
  }
  return blocks;
}

/** The `# ERR …` lines a block that fails on purpose shows: each must be in what it printed. */
function shownErrors(block: Block): string[] {
  return block.body
    .split('\n')
    .map((line) => /^#\s*(ERR .*)$/.exec(line.trim())?.[1])
    .filter((line): line is string => line !== undefined);
}

const pages = execFileSync('git', ['ls-files', 'docs/*.md'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
const shellBlocks = pages.flatMap((page) =>
  fencedBlocks(page, readFileSync(join(repoRoot, page), 'utf8')).filter((block) => SHELLS.has(block.lang)),
);

const scratch = mkdtempSync(join(tmpdir(), 'docs-run-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** `chainloop` and `chainloop-control-plane` as `npm run build` leaves them in the workspace (what `npx` runs). */
const bin = join(scratch, 'bin');
mkdirSync(bin);
for (const name of ['chainloop', 'chainloop-control-plane']) {
  symlinkSync(join(repoRoot, 'node_modules', '.bin', name), join(bin, name));
}

interface PageRun {
  /** What every block printed, in order, each after a `===== page:line =====` header. */
  output: string;
  /** Per block index: 'ok', or the exit status of a block marked `exits N`. */
  status: Map<number, string>;
  exitCode: number | null;
  timedOut: boolean;
}

/** Runs a page's runnable blocks in one bash, in its own network namespace and process group. */
async function runPage(page: string, blocks: Block[], work: string, timeoutMs: number): Promise<PageRun> {
  const dir = mkdtempSync(join(scratch, `${page.replace(/\W/g, '-')}-`));
  const home = join(dir, 'home');
  const tmp = join(dir, 'tmp');
  mkdirSync(home);
  mkdirSync(tmp);
  const statusFile = join(dir, 'status');
  const logFile = join(dir, 'output.log');
  const quote = (path: string) => `'${path.replace(/'/g, `'\\''`)}'`;
  // Each block is sourced into the page's one shell under `set -e`: its first failing command ends the page there.
  // A block that fails on purpose runs in a subshell (what it exports is lost; none of them exports anything).
  const driver = [`exec 3>${quote(statusFile)}`, 'set -e'];
  blocks.forEach((block, index) => {
    const file = join(dir, `block-${index}.sh`);
    writeFileSync(file, block.body);
    driver.push(`printf '\\n===== %s:%s =====\\n' ${quote(block.page)} ${block.line}`);
    if (block.expect.kind === 'exits') {
      driver.push('set +e', `( set -e; . ${quote(file)} )`, `echo "${index} $?" >&3`, 'set -e');
    } else {
      driver.push(`. ${quote(file)}`, `echo "${index} ok" >&3`);
    }
  });
  const driverFile = join(dir, 'driver.sh');
  writeFileSync(driverFile, `${driver.join('\n')}\n`);
  const log = openSync(logFile, 'w');
  // stdin is /dev/null: no terminal, as in CI. Its own process group, so whatever a page left running (its control
  // plane when a block failed) is stopped with it.
  const child = spawn('unshare', ['-n', 'bash', '-c', 'ip link set lo up && exec bash "$0"', driverFile], {
    cwd: work,
    env: baseEnv({ PATH: `${bin}:${process.env.PATH}`, HOME: home, TMPDIR: tmp }),
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  let timedOut = false;
  const exitCode = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-(child.pid as number), 'SIGKILL');
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {
    // the group is gone: the page stopped everything it started
  }
  const status = new Map<number, string>();
  for (const line of readFileSync(statusFile, 'utf8').split('\n').filter(Boolean)) {
    const [index, result] = line.split(' ');
    status.set(Number(index), result);
  }
  return { output: readFileSync(logFile, 'utf8'), status, exitCode, timedOut };
}

/** What one block printed: from its header to the next. */
function outputOf(run: PageRun, block: Block): string {
  const header = `===== ${block.page}:${block.line} =====\n`;
  const start = run.output.indexOf(header);
  if (start < 0) return '';
  const next = run.output.indexOf('\n===== ', start + header.length);
  return run.output.slice(start + header.length, next < 0 ? undefined : next);
}

function checkPage(run: PageRun, blocks: Block[]): void {
  const problems: string[] = [];
  blocks.forEach((block, index) => {
    const where = `${block.page}:${block.line}`;
    const result = run.status.get(index);
    const printed = outputOf(run, block);
    const shown = `\n--- the block ---\n${block.body}--- what it printed (last 3000 characters) ---\n${printed.slice(-3000)}`;
    if (result === undefined) {
      if (problems.length === 0) {
        const why = run.timedOut ? 'did not finish in time' : `failed: the page's shell exited ${run.exitCode}`;
        problems.push(`${where} ${why}${shown}`);
      } else {
        problems.push(`${where} did not run (an earlier block failed)`);
      }
      return;
    }
    if (block.expect.kind === 'exits') {
      if (result !== String(block.expect.code)) {
        problems.push(`${where} exited ${result}, the page shows exit ${block.expect.code}${shown}`);
      }
      const errors = shownErrors(block);
      if (errors.length === 0) problems.push(`${where} fails on purpose but shows no "# ERR …" line`);
      for (const error of errors) {
        if (!printed.split('\n').includes(error)) problems.push(`${where} did not print "${error}"${shown}`);
      }
    } else if (result !== 'ok') {
      problems.push(`${where}: unexpected status ${result}`);
    }
  });
  if (problems.length > 0) assert.fail(problems.join('\n\n'));
}

/**
 * Where a page's blocks start. Most pages set up what they need themselves, from an empty folder; the releases page
 * runs "from the release/ folder" that `npm run release` writes, which the shared release helper makes.
 */
const workDirs: Record<string, () => string> = {
  'docs/releases.md': () => makeRelease().dir,
};

describe('the docs pages run as written', () => {
  test('every shell block is run or marked not run with a reason', { timeout: 10_000 }, (t) => {
    assert.deepEqual(markupProblems, []);
    const runnable = shellBlocks.filter((block) => block.expect.kind !== 'not-run');
    for (const block of shellBlocks) {
      if (block.expect.kind === 'not-run') t.diagnostic(`not run: ${block.page}:${block.line}: ${block.expect.reason}`);
    }
    // The pages that drive a control plane from the CLI; a parser that found nothing would pass everything else.
    for (const page of ['docs/control-plane.md', 'docs/signing.md', 'docs/releases.md', 'docs/web-ui.md']) {
      assert.ok(
        runnable.some((block) => block.page === page),
        `${page} has no runnable shell block`,
      );
    }
    assert.ok(runnable.length >= 20, `only ${runnable.length} runnable shell blocks`);
    assert.ok(
      runnable.some((block) => block.expect.kind === 'exits'),
      'no block fails on purpose',
    );
  });

  for (const page of pages) {
    const blocks = shellBlocks.filter((block) => block.page === page && block.expect.kind !== 'not-run');
    if (blocks.length === 0) continue;
    const timeout = page === 'docs/releases.md' ? 240_000 : 90_000;
    test(`${page}: its ${blocks.length} shell blocks run in order`, { timeout }, async () => {
      const work = workDirs[page]?.() ?? mkdtempSync(join(scratch, 'work-'));
      const run = await runPage(page, blocks, work, 80_000);
      checkPage(run, blocks);
    });
  }
});
