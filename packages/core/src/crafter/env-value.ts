import { ChainloopError, UsageError } from '../errors';

const ENV_PREFIX = 'env://';

/** `--value env://VAR` reads the value from a variable, so secrets-adjacent values never sit on a command line. */
export function resolveEnvReference(value: string, env: NodeJS.ProcessEnv, what: string): string {
  if (!value.startsWith(ENV_PREFIX)) return value;
  const name = value.slice(ENV_PREFIX.length);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(
      'ENV_REFERENCE_INVALID',
      `${what}: "${value}" is not a valid env:// reference; use env://VARIABLE_NAME`,
    );
  }
  const resolved = env[name];
  if (resolved === undefined || resolved === '') {
    throw new ChainloopError(
      'ENV_REFERENCE_UNSET',
      `${what}: environment variable ${name} is not set or empty; export it first`,
    );
  }
  return resolved;
}

export function isEnvReference(value: string): boolean {
  return value.startsWith(ENV_PREFIX);
}
