// `chainloop-control-plane start …`: the same as `chainloop control-plane start …`.
import { parseArgs } from 'node:util';
import { ChainloopError } from '@chainloop-ts/core';
import { START_OPTION_HELP, serve } from './start';

const usage = `usage: chainloop-control-plane start [options]
  --listen HOST:PORT    ${START_OPTION_HELP.listen}
  --data-dir DIR        ${START_OPTION_HELP.dataDir}
  --database-url URL    ${START_OPTION_HELP.databaseUrl}
  --max-blob-size SIZE  ${START_OPTION_HELP.maxBlobSize}
  --max-body-size SIZE  ${START_OPTION_HELP.maxBodySize}
  --run-expiry DURATION ${START_OPTION_HELP.runExpiry}
  --ca-cert FILE        ${START_OPTION_HELP.caCert}
  --ca-key FILE         ${START_OPTION_HELP.caKey}
  --signing-cert-validity DURATION
                        ${START_OPTION_HELP.signingCertValidity}
  --quiet               do not log one line per request
environment: CHAINLOOP_CP_ADMIN_TOKEN sets the admin token (else one is generated into DIR/admin.token)
`;

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
        listen: { type: 'string' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        'max-blob-size': { type: 'string' },
        'max-body-size': { type: 'string' },
        'run-expiry': { type: 'string' },
        'ca-cert': { type: 'string' },
        'ca-key': { type: 'string' },
        'signing-cert-validity': { type: 'string' },
        quiet: { type: 'boolean' },
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
  await serve({
    listen: values.listen as string | undefined,
    dataDir: values['data-dir'] as string | undefined,
    databaseUrl: values['database-url'] as string | undefined,
    maxBlobSize: values['max-blob-size'] as string | undefined,
    maxBodySize: values['max-body-size'] as string | undefined,
    runExpiry: values['run-expiry'] as string | undefined,
    caCert: values['ca-cert'] as string | undefined,
    caKey: values['ca-key'] as string | undefined,
    signingCertValidity: values['signing-cert-validity'] as string | undefined,
    quiet: values.quiet as boolean | undefined,
  });
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
