/** The parts of CircleCI config 2.1 (and of a packed orb) the harness understands; everything else is rejected. */

export interface ParameterDeclaration {
  type: 'string' | 'boolean' | 'integer' | 'enum' | 'env_var_name' | 'steps' | 'executor';
  default?: unknown;
  enum?: string[];
  description?: string;
}

export type Parameters = Record<string, ParameterDeclaration>;

export type StepDefinition = string | Record<string, unknown>;

export interface CommandDefinition {
  description?: string;
  parameters?: Parameters;
  steps: StepDefinition[];
}

export interface ExecutorDefinition {
  description?: string;
  parameters?: Parameters;
  docker?: unknown[];
  environment?: Record<string, unknown>;
  working_directory?: string;
}

export interface JobDefinition {
  description?: string;
  parameters?: Parameters;
  executor?: string | Record<string, unknown>;
  docker?: unknown[];
  environment?: Record<string, unknown>;
  working_directory?: string;
  parallelism?: number;
  steps: StepDefinition[];
}

export interface OrbDefinition {
  version?: number | string;
  description?: string;
  commands?: Record<string, CommandDefinition>;
  jobs?: Record<string, JobDefinition>;
  executors?: Record<string, ExecutorDefinition>;
  examples?: Record<string, { description?: string; usage: ConfigDefinition }>;
}

export interface ConfigDefinition extends Omit<OrbDefinition, 'examples'> {
  orbs?: Record<string, string>;
  workflows?: Record<string, { jobs: (string | Record<string, Record<string, unknown>>)[] }>;
}

/** What names resolve against while compiling: the config itself or one of its orbs. */
export interface Scope {
  label: string;
  definitions: Omit<OrbDefinition, 'examples'>;
  /** Orbs by alias (from the user config's `orbs:`); `alias/name` looks there. */
  orbs: Record<string, Scope>;
}
