import { type Command, Option } from 'commander';

/** Which option attribute holds the output format on each command (`output`, or `format` where --output is a path). */
const formatAttribute = new WeakMap<Command, string>();

export function formatAttributeOf(command: Command): string | undefined {
  return formatAttribute.get(command);
}

/**
 * Gives every leaf command the program's common options, so they work after the subcommand as users type them
 * (`chainloop workflow list -o json --token …`). The program parses its own options positionally (before the
 * subcommand), which lets a command own an `--output` of its own: `artifact download --output PATH` keeps `-o` as
 * the format flag.
 */
export function addCommonOptionsToLeaves(program: Command): void {
  program.enablePositionalOptions();
  const visit = (command: Command) => {
    if (command.commands.length > 0) {
      for (const child of command.commands) visit(child);
      return;
    }
    const has = (flag: string) => command.options.some((option) => option.long === flag);
    if (!has('--token')) command.addOption(new Option('-t, --token <token>', 'API or robot account token').hideHelp());
    if (!has('--control-plane')) command.addOption(new Option('--control-plane <url>', 'control plane URL').hideHelp());
    if (has('--output')) {
      command.addOption(new Option('-o, --format <format>', 'output format: table or json'));
      formatAttribute.set(command, 'format');
    } else {
      command.addOption(new Option('-o, --output <format>', 'output format: table or json'));
      formatAttribute.set(command, 'output');
    }
  };
  for (const child of program.commands) visit(child);
}
