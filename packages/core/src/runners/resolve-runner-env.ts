import { envValue } from './env-value';
import type { Runner } from './runner';

export interface ResolvedRunnerEnv {
  /** Every recorded variable that has a non-empty value. */
  values: Record<string, string>;
  /** Required variables without a value (init fails on them outside dry runs). */
  missing: string[];
}

export function resolveRunnerEnv(runner: Runner, env: NodeJS.ProcessEnv): ResolvedRunnerEnv {
  const synthesised = runner.envValues?.(env);
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const variable of runner.envVars()) {
    const value = synthesised !== undefined ? synthesised[variable.name] : envValue(env, variable.name);
    if (value !== undefined && value !== '') values[variable.name] = value;
    else if (!variable.optional) missing.push(variable.name);
  }
  return { values, missing };
}
