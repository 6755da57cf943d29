import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tags } from 'yaml';
import type { MaterialKindName } from '../contract/model';
import { ChainloopError } from '../errors';
import { envValue } from './env-value';

/** One report a GitLab job declares under `artifacts:reports`, and the Chainloop kind it is attested as. */
export interface DeclaredReport {
  /** The `artifacts:reports` key, e.g. `junit`, or `coverage_report (cobertura)`. */
  report: string;
  kind: MaterialKindName;
  /** The declared path or glob, relative to the project directory, CI variables expanded. */
  path: string;
}

export interface DeclaredReports {
  reports: DeclaredReport[];
  /** Where they were read: `CHAINLOOP_REPORTS`, or the CI config file and job. */
  source: string;
  /** Report types with no Chainloop kind, and why nothing could be read: for WRN lines. */
  warnings: string[];
}

/** `artifacts:reports` keys that name one Chainloop kind. */
const REPORT_KINDS: Record<string, MaterialKindName> = {
  junit: 'JUNIT_XML',
  cyclonedx: 'SBOM_CYCLONEDX_JSON',
  sast: 'GITLAB_SECURITY_REPORT',
  secret_detection: 'GITLAB_SECURITY_REPORT',
  container_scanning: 'GITLAB_SECURITY_REPORT',
  dependency_scanning: 'GITLAB_SECURITY_REPORT',
};
/** `coverage_report` is attested by its `coverage_format`. */
const COVERAGE_KINDS: Record<string, MaterialKindName> = { cobertura: 'COBERTURA_XML', jacoco: 'JACOCO_XML' };

/** GitLab stops resolving `extends` and `include` this deep; so do we (a cycle would otherwise never end). */
const MAX_DEPTH = 11;

/** `!reference [job, key, …]`: resolved once the whole configuration (includes merged) is known. */
class Reference {
  constructor(readonly path: string[]) {}
}
const REFERENCE_TAG: Tags[number] = {
  tag: '!reference',
  collection: 'seq',
  resolve: (seq) => new Reference((seq as { toJSON(): unknown[] }).toJSON().map(String)),
};

type ConfigMap = Record<string, unknown>;

/**
 * The reports the running GitLab job declares under `artifacts:reports`, for its after_script to attest. A job
 * cannot see its own `artifacts:reports` (GitLab hands them to the runner, not to the job), so they are read from
 * the pipeline's CI config in the checkout (`CI_CONFIG_PATH`, `.gitlab-ci.yml` by default) as GitLab reads it:
 * `include: local` files, `extends`, `default:`, YAML anchors and merge keys, `!reference`. A job defined outside
 * the checkout (a remote or another project's include) cannot be read: a warning says to list its reports in
 * `CHAINLOOP_REPORTS` (the same YAML as `artifacts:reports`), which, when set, is used instead of the config.
 */
export async function gitlabDeclaredReports(env: NodeJS.ProcessEnv, cwd: string): Promise<DeclaredReports> {
  const listed = envValue(env, 'CHAINLOOP_REPORTS');
  if (listed !== undefined) {
    const { parse } = await import('yaml');
    let reports: unknown;
    try {
      reports = parse(listed);
    } catch (error) {
      throw new ChainloopError(
        'DECLARED_REPORTS_INVALID',
        `CHAINLOOP_REPORTS is not YAML (${firstLine(error)}): write it as the job's artifacts:reports, e.g. "junit: reports/junit.xml"`,
      );
    }
    return { source: 'CHAINLOOP_REPORTS', ...reportsOf(reports, 'CHAINLOOP_REPORTS', env) };
  }

  const projectDir = envValue(env, 'CI_PROJECT_DIR') ?? cwd;
  const configPath = envValue(env, 'CI_CONFIG_PATH') ?? '.gitlab-ci.yml';
  const jobName = envValue(env, 'CI_JOB_NAME');
  const listThem = "list the job's reports in its CHAINLOOP_REPORTS variable, in the same YAML as artifacts:reports";
  if (jobName === undefined) {
    return noReports(
      'CI_JOB_NAME',
      `CI_JOB_NAME is not set, so the job's artifacts:reports cannot be found: ${listThem}`,
    );
  }
  if (/^[a-z]+:\/\/|@/.test(configPath)) {
    return noReports(
      configPath,
      `the pipeline's CI config ${configPath} is outside the project's checkout, so job "${jobName}"'s artifacts:reports cannot be read: ${listThem}`,
    );
  }
  const config = await loadConfig(projectDir, configPath, 0);
  if (config === undefined) {
    return noReports(
      configPath,
      `the pipeline's CI config ${configPath} is not in ${projectDir}, so job "${jobName}"'s artifacts:reports cannot be read: ${listThem}`,
    );
  }
  const key = jobKey(config, jobName);
  const source = `${configPath} job "${key ?? jobName}"`;
  if (key === undefined) {
    return noReports(
      source,
      `job "${jobName}" is not in ${configPath} or its local includes (it comes from a remote include?), so its artifacts:reports cannot be read: ${listThem}`,
    );
  }
  const job = resolveJob(config, key, 0);
  const artifacts = resolveReferences(config, job.artifacts ?? inheritedDefault(config, job, 'artifacts'), 0);
  const declared = isMap(artifacts) ? resolveReferences(config, artifacts.reports, 0) : undefined;
  if (declared === undefined) return { source, reports: [], warnings: [] };
  return { source, ...reportsOf(declared, `${source} artifacts:reports`, env) };
}

function noReports(source: string, warning: string): DeclaredReports {
  return { source, reports: [], warnings: [warning] };
}

/** The kinds of an `artifacts:reports` map; report types with no Chainloop kind are warnings. */
function reportsOf(value: unknown, where: string, env: NodeJS.ProcessEnv): Omit<DeclaredReports, 'source'> {
  if (value === null || value === undefined) return { reports: [], warnings: [] };
  if (!isMap(value)) {
    throw new ChainloopError(
      'DECLARED_REPORTS_INVALID',
      `${where} is not a map of reports: write it as artifacts:reports is written, e.g. "junit: reports/junit.xml"`,
    );
  }
  const reports: DeclaredReport[] = [];
  const warnings: string[] = [];
  for (const [report, paths] of Object.entries(value)) {
    if (report === 'coverage_report') {
      const format = isMap(paths) ? String(paths.coverage_format ?? '') : '';
      const kind = COVERAGE_KINDS[format];
      if (!isMap(paths) || kind === undefined || typeof paths.path !== 'string') {
        throw new ChainloopError(
          'DECLARED_REPORTS_INVALID',
          `${where}: coverage_report needs coverage_format (cobertura or jacoco) and path: write it as GitLab does, e.g. {coverage_format: cobertura, path: coverage/cobertura.xml}`,
        );
      }
      reports.push({ report: `coverage_report (${format})`, kind, path: expandVariables(paths.path, env) });
      continue;
    }
    const kind = REPORT_KINDS[report];
    if (kind === undefined) {
      warnings.push(
        `${where}: ${report} has no Chainloop kind, not attested (attested: ${[...Object.keys(REPORT_KINDS), 'coverage_report'].join(', ')})`,
      );
      continue;
    }
    const list = Array.isArray(paths) ? paths : [paths];
    if (list.length === 0 || list.some((path) => typeof path !== 'string' || path === '')) {
      throw new ChainloopError(
        'DECLARED_REPORTS_INVALID',
        `${where}: ${report} is not a path or a list of paths: write it as GitLab does, e.g. ${report}: reports/*.xml`,
      );
    }
    for (const path of list as string[]) reports.push({ report, kind, path: expandVariables(path, env) });
  }
  return { reports, warnings };
}

/**
 * One config file and its `include: local` files, merged as GitLab merges them: included files first, in order,
 * the including file's own keys over them (maps merged deeply). Other includes (remote, project, template,
 * component) are not in the checkout and are left out. Undefined when the file itself is missing.
 */
async function loadConfig(projectDir: string, path: string, depth: number): Promise<ConfigMap | undefined> {
  let text: string;
  try {
    text = await readFile(join(projectDir, path.replace(/^\/+/, '')), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Loaded here: the runners module is on every command's start-up path, this only in a GitLab job's after_script.
  const { parse } = await import('yaml');
  let parsed: unknown;
  try {
    parsed = parse(text, { customTags: [REFERENCE_TAG], merge: true });
  } catch (error) {
    throw new ChainloopError(
      'DECLARED_REPORTS_INVALID',
      `the CI config ${path} is not YAML GitLab could have run (${firstLine(error)}): list the job's reports in CHAINLOOP_REPORTS`,
    );
  }
  if (!isMap(parsed)) return {};
  const { include, ...own } = parsed;
  let merged: ConfigMap = {};
  if (depth < MAX_DEPTH) {
    for (const local of await localIncludes(projectDir, include)) {
      merged = deepMerge(merged, (await loadConfig(projectDir, local, depth + 1)) ?? {});
    }
  }
  return deepMerge(merged, own);
}

/** The project-relative files of `include: local` entries (`include: file.yml`, `- local: configs/*.yml`). */
async function localIncludes(projectDir: string, include: unknown): Promise<string[]> {
  const entries = Array.isArray(include) ? include : include === undefined ? [] : [include];
  const files: string[] = [];
  for (const entry of entries) {
    const local =
      typeof entry === 'string'
        ? /^[a-z]+:\/\//.test(entry)
          ? undefined
          : entry
        : isMap(entry)
          ? entry.local
          : undefined;
    if (typeof local !== 'string') continue;
    const path = local.replace(/^\/+/, '');
    if (/[*?[{]/.test(path)) {
      const { glob } = await import('tinyglobby');
      files.push(...(await glob(path, { cwd: projectDir, onlyFiles: true })).sort());
    } else {
      files.push(path);
    }
  }
  return files;
}

/** The config key of the running job: `CI_JOB_NAME` itself, or the job a `parallel` copy (`build 2/3`, `build: [a, b]`) came from. */
function jobKey(config: ConfigMap, jobName: string): string | undefined {
  const candidates = [jobName, /^(.+?): \[.*\]$/.exec(jobName)?.[1], /^(.+) \d+\/\d+$/.exec(jobName)?.[1]];
  return candidates.find((name) => name !== undefined && isMap(config[name]));
}

/** The job with what it `extends` merged under it (deeply, arrays replaced), as GitLab does; unknown bases are skipped. */
function resolveJob(config: ConfigMap, key: string, depth: number): ConfigMap {
  const job = config[key];
  if (!isMap(job)) return {};
  const { extends: bases, ...own } = job;
  let merged: ConfigMap = {};
  if (depth < MAX_DEPTH) {
    for (const base of Array.isArray(bases) ? bases : bases === undefined ? [] : [bases]) {
      if (typeof base === 'string') merged = deepMerge(merged, resolveJob(config, base, depth + 1));
    }
  }
  return deepMerge(merged, own);
}

/** A `default:` keyword's value for a job that does not turn it off with `inherit: default`. */
function inheritedDefault(config: ConfigMap, job: ConfigMap, keyword: string): unknown {
  const inherit = isMap(job.inherit) ? job.inherit.default : undefined;
  if (inherit === false || (Array.isArray(inherit) && !inherit.includes(keyword))) return undefined;
  return isMap(config.default) ? config.default[keyword] : undefined;
}

/** The value with each `!reference` replaced by what it points to (the first key a job, its `extends` resolved). */
function resolveReferences(config: ConfigMap, value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (value instanceof Reference) {
    const [job, ...keys] = value.path;
    let target: unknown = job === undefined ? undefined : resolveJob(config, job, 0);
    for (const key of keys) target = isMap(target) ? target[key] : undefined;
    return resolveReferences(config, target, depth + 1);
  }
  if (Array.isArray(value)) return value.map((item) => resolveReferences(config, item, depth + 1));
  if (isMap(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveReferences(config, v, depth + 1)]));
  }
  return value;
}

/** `$VAR` and `${VAR}` from the job's environment, as GitLab expands them in artifact paths; unknown ones stay. */
function expandVariables(path: string, env: NodeJS.ProcessEnv): string {
  return path.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const value = env[braced ?? bare ?? ''];
    return value === undefined ? whole : value;
  });
}

function deepMerge(base: ConfigMap, over: ConfigMap): ConfigMap {
  const merged: ConfigMap = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const under = merged[key];
    merged[key] = isMap(under) && isMap(value) ? deepMerge(under, value) : value;
  }
  return merged;
}

function isMap(value: unknown): value is ConfigMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Reference);
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
