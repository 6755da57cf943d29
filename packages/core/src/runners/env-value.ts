/** A CI variable counts as set only when non-empty, as in the original (`runners/runners.go`). */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function allSet(env: NodeJS.ProcessEnv, ...names: string[]): boolean {
  return names.every((name) => envValue(env, name) !== undefined);
}

export function required(...names: string[]) {
  return names.map((name) => ({ name, optional: false }));
}

export function optional(...names: string[]) {
  return names.map((name) => ({ name, optional: true }));
}
