import { type Command, CommanderError } from 'commander';

/**
 * What this run was, for the loader of the bundled CLI (packages/cli/build.mjs), which keeps a V8 code cache per
 * command and rewrites it, with everything compiled so far, when a run of a new shape comes. Those caches are files CI
 * steps save and share, so a shape holds only names the CLI itself defines, never a value the user typed: the command
 * path (each command's name and aliases, against which the loader checks the words it named the cache file after), the
 * long names of the options given on the command line (not their values) and the material kinds crafted (a fixed
 * enum). The loader reads it at exit and writes no cache without it.
 */
export interface CompileShape {
  command: string[][];
  options: string[];
  kinds: string[];
}

const COMPILE_SHAPE = Symbol.for('chainloop.compileShape');

/** The shape published so far (undefined before the command was known): CHAINLOOP_PHASE_TIMINGS names its line by it. */
export function publishedCompileShape(): CompileShape | undefined {
  return (globalThis as Record<symbol, CompileShape | undefined>)[COMPILE_SHAPE];
}

const kinds = new Set<string>();

/** Material kinds `attestation add` crafted (names from core's MATERIAL_KINDS, checked by the caller). */
export function recordMaterialKinds(crafted: Iterable<string>): void {
  for (const kind of crafted) kinds.add(kind);
}

/**
 * Follows commander down the command tree of `program` (before each subcommand parses its options) and returns the
 * function that publishes the shape of the run: called before the action runs (so a command that ends the process
 * itself still has one) and once parsing ended, with what it threw (help and version end as errors).
 */
export function trackCompileShape(program: Command): (error?: unknown) => void {
  let active = program;
  kinds.clear();
  const publish = (error?: unknown) => {
    const chain: Command[] = [];
    for (let command: Command | null = active; command; command = command.parent) chain.unshift(command);
    const options = new Set<string>();
    for (const command of chain) {
      for (const option of command.options) {
        const name = option.long ?? option.short;
        if (name && command.getOptionValueSource(option.attributeName()) === 'cli') options.add(name);
      }
    }
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help') options.add('--help');
      if (error.code === 'commander.version') options.add('--version');
    }
    const shape: CompileShape = {
      command: chain.slice(1).map((command) => [command.name(), ...command.aliases()]),
      options: [...options],
      kinds: [...kinds],
    };
    (globalThis as Record<symbol, unknown>)[COMPILE_SHAPE] = shape;
  };
  const follow = (command: Command) => {
    if (command.commands.length === 0) return;
    command.hook('preSubcommand', (_, subcommand) => {
      active = subcommand;
    });
    for (const child of command.commands) follow(child);
  };
  follow(program);
  program.hook('preAction', () => publish());
  return publish;
}
