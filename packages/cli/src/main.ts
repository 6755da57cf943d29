import { CHAINLOOP_TS_VERSION, ChainloopError } from '@chainloop-ts/core';
import { Command, CommanderError, Help, type Option } from 'commander';
import { addCommonOptionsToLeaves } from './common-options';
import { trackCompileShape } from './compile-shape';
import { log } from './output';
import { recordPhaseTimings } from './phase-timings';
import { writeStderr, writeStdout } from './stdio';

/** The top-level command groups: each word that names one (its name, its aliases) and how to register it. */
const GROUPS: Array<{ words: string[]; register: (program: Command) => Promise<void> }> = [
  // Imported when built, not at start: a command evaluates its own group's modules only (docs/performance.md).
  {
    words: ['attestation', 'att'],
    register: async (program) => (await import('./commands/attestation/index')).registerAttestationCommands(program),
  },
  {
    words: ['workflow', 'wf'],
    register: async (program) => (await import('./commands/workflow')).registerWorkflowCommands(program),
  },
  {
    words: ['policy', 'policy-group'],
    register: async (program) => (await import('./commands/policy')).registerPolicyCommands(program),
  },
  {
    words: ['artifact'],
    register: async (program) => (await import('./commands/artifact')).registerArtifactCommands(program),
  },
  { words: ['keys'], register: async (program) => (await import('./commands/keys')).registerKeysCommands(program) },
  {
    words: ['control-plane'],
    register: async (program) => (await import('./commands/control-plane')).registerControlPlaneCommands(program),
  },
];

/** The program's options that take a value (`--token x`): the word after one is no command. */
const VALUE_OPTIONS = new Set(['-t', '--token', '--control-plane', '-o', '--output']);

/**
 * The group the command line names, when its first word (after the program's own options) is one: building the whole
 * command tree is ~1 ms of every start, and a command of one group needs no other. Undefined otherwise (no command,
 * `--help`, a mistyped group): then every group is built, for the help and commander's suggestions.
 */
export function namedGroup(argv: string[]): string | undefined {
  for (let index = 2; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (VALUE_OPTIONS.has(arg)) index++;
      continue;
    }
    return GROUPS.some((group) => group.words.includes(arg)) ? arg : undefined;
  }
  return undefined;
}

/** The CLI's command tree; with `group` (a word naming a group), that group alone under the program ('': none). */
export async function buildProgram(group?: string): Promise<Command> {
  const program = new Command('chainloop')
    .description('Software supply-chain attestations, native to your CI')
    .version(CHAINLOOP_TS_VERSION, '--version', 'print the version')
    .option(
      '-t, --token <token>',
      'API token: admin commands fall back to env CHAINLOOP_TOKEN, attestation commands to env CHAINLOOP_ROBOT_ACCOUNT, then CHAINLOOP_TOKEN',
    )
    .option(
      '--control-plane <url>',
      'control plane URL (env CHAINLOOP_CONTROL_PLANE_API, default http://127.0.0.1:8000)',
    )
    .option('-o, --output <format>', 'output format: table or json')
    // Every help lists the program's options too: --token and --control-plane work after any subcommand.
    .configureHelp({ showGlobalOptions: true, visibleGlobalOptions: globalOptionsWorthShowing })
    .exitOverride();
  for (const { words, register } of GROUPS) if (group === undefined || words.includes(group)) await register(program);
  addCommonOptionsToLeaves(program);
  reportUsageErrorsOnOneLine(program);
  return program;
}

/**
 * The program's options as a subcommand's help lists them: not --version (the program's alone), nor an option whose
 * flags the command shows itself (a leaf's own -o).
 */
function globalOptionsWorthShowing(this: Help, command: Command): Option[] {
  const shown = command.options.filter((option) => !option.hidden);
  const own = new Set(shown.flatMap((option) => [option.short, option.long]).filter((flag) => flag !== undefined));
  const ownFlag = (flag: string | undefined) => flag !== undefined && own.has(flag);
  return Help.prototype.visibleGlobalOptions
    .call(this, command)
    .filter((option) => option.long !== '--version' && !ownFlag(option.short) && !ownFlag(option.long));
}

/**
 * A mistyped command or option, a missing argument: one `ERR …` line with commander's suggestion, if it has one, and
 * where to read the usage, instead of its `error: …` and a whole help page. main() exits 2.
 */
function reportUsageErrorsOnOneLine(program: Command): void {
  const visit = (command: Command) => {
    command.configureOutput({
      // Version, help and usage errors through stdio.ts, as everything else the CLI prints (not commander's streams).
      writeOut: writeStdout,
      writeErr: writeStderr,
      outputError: (text, write) => {
        const [message, ...rest] = text
          .trim()
          .replace(/^error: /, '')
          .replace(/\.$/, '')
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
        // commander's "(Did you mean workflow?)" line
        const suggestion = rest.join(' ').replace(/^\((.*)\)$/, '$1');
        const hint = suggestion ? `, ${suggestion.charAt(0).toLowerCase()}${suggestion.slice(1)}` : '';
        write(`ERR ${message}${hint} (see ${commandPath(command)} --help)\n`);
      },
    });
    for (const child of command.commands) visit(child);
  };
  visit(program);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 error, 2 usage error. */
export async function main(argv: string[]): Promise<number> {
  // Opt-in, for the bench: where this run's time goes (docs/performance.md). Unset, it costs one lookup.
  const phaseTimingsFile = process.env.CHAINLOOP_PHASE_TIMINGS;
  if (phaseTimingsFile) recordPhaseTimings(phaseTimingsFile);
  // `--version` alone needs no command group.
  const versionOnly = argv.length === 3 && argv[2] === '--version';
  const program = await buildProgram(versionOnly ? '' : namedGroup(argv));
  const publishCompileShape = trackCompileShape(program);
  try {
    await program.parseAsync(argv);
    publishCompileShape();
    return 0;
  } catch (error) {
    publishCompileShape(error);
    return reportError(error, argv);
  }
}

function reportError(error: unknown, argv: string[]): number {
  if (error instanceof CommanderError) {
    // help and version exit through here with code 0; commander already printed its message (a usage error's one
    // line: reportUsageErrorsOnOneLine).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof ChainloopError) {
    if (error.graceful && argv.includes('--graceful-exit')) {
      log.warn(`${error.message} (ignored because of --graceful-exit)`);
      return 0;
    }
    log.error(error.message);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  log.error(`unexpected error: ${message}`);
  if (process.env.CHAINLOOP_DEBUG && error instanceof Error) writeStderr(`${error.stack}\n`);
  return 1;
}
