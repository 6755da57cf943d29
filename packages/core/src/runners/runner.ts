import type { RunnerTypeName } from '../contract/model';

export interface RunnerEnvVar {
  name: string;
  optional: boolean;
}

/** One CI system's context: how to detect it, what it records, where its run lives. One file per CI. */
export interface Runner {
  readonly type: RunnerTypeName;
  /** Human name used in messages ("GitHub Actions"). */
  readonly displayName: string;
  /** True when the given environment is this CI. */
  detect(env: NodeJS.ProcessEnv): boolean;
  /** Variables recorded in the attestation's runner context. */
  envVars(): RunnerEnvVar[];
  /** URL of the job/run in the CI's UI, or undefined when it cannot be built. */
  runUrl(env: NodeJS.ProcessEnv): string | undefined;
  /** `managed`, `self-hosted` or `unknown`. */
  environment(env: NodeJS.ProcessEnv): 'managed' | 'self-hosted' | 'unknown';
  /**
   * Values of `envVars()` when they are not plain environment variables (Tekton synthesises some from the pod);
   * when absent, `resolveRunnerEnv` reads each variable from the environment.
   */
  envValues?(env: NodeJS.ProcessEnv): Record<string, string | undefined>;
}
