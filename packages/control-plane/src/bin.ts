// `chainloop-control-plane start …`: the same as `chainloop control-plane start …`.
import { parseArgs } from 'node:util';
import { ChainloopError } from '@chainloop-ts/core';
import { serve } from './start';
import { START_ENVIRONMENT_HELP, START_OPTIONS, type StartOptions } from './start-options';

const usage = [
  'usage: chainloop-control-plane start [options]',
  ...START_OPTIONS.map((option) => {
    const flag = option.value ? `${option.flag} <${option.value}>` : option.flag;
    return flag.length < 30 ? `  ${flag.padEnd(30)}${option.help}` : `  ${flag}\n  ${''.padEnd(30)}${option.help}`;
  }),
  `  ${'-o, --output <format>'.padEnd(30)}table (log lines on stderr only) or json (also the listening line on stdout)`,
  `  ${'-h, --help'.padEnd(30)}show this help`,
  START_ENVIRONMENT_HELP,
  '',
].join('\n');

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === undefined) {
    process.stdout.write(usage);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'start') {
    process.stderr.write(`ERR unknown command "${command}": use start\n${usage}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(
          START_OPTIONS.map((option) => [option.flag.slice(2), { type: option.value ? 'string' : 'boolean' } as const]),
        ),
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`ERR ${error instanceof Error ? error.message : error}\n${usage}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const format = values.output ?? 'table';
  if (format !== 'table' && format !== 'json') {
    process.stderr.write(`ERR --output "${format}" is not supported: use table or json\n`);
    return 2;
  }
  const options: StartOptions = {};
  for (const option of START_OPTIONS) {
    const value = values[option.flag.slice(2)];
    if (value !== undefined) Object.assign(options, { [option.key]: value });
  }
  await serve(options, { format });
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`ERR ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof ChainloopError ? error.exitCode : 1;
  },
);
