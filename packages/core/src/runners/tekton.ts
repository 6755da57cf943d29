import { existsSync, readFileSync, statSync } from 'node:fs';
import { envValue, optional, required } from './env-value';
import type { Runner } from './runner';

export interface TektonPaths {
  /** Every Tekton step container has it; its presence is how Tekton is detected. */
  resultsDir: string;
  /** The pod's namespace, mounted with the service-account token. */
  namespaceFile: string;
}

const DEFAULT_PATHS: TektonPaths = {
  resultsDir: '/tekton/results',
  namespaceFile: '/var/run/secrets/kubernetes.io/serviceaccount/namespace',
};

/**
 * Tekton values are synthesised rather than set by Tekton: the namespace comes from the service-account mount and
 * the TaskRun name from the pod's hostname (`<taskrun>-pod[-retryN]`). The pipeline labels are taken from the
 * environment when the Task exposes them through the downward API (`TEKTON_PIPELINE_NAME`, …); unlike the original
 * we do not query the Kubernetes API for them.
 */
export function createTektonRunner(paths: TektonPaths = DEFAULT_PATHS): Runner {
  function values(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
    const hostname = envValue(env, 'HOSTNAME');
    return {
      HOSTNAME: hostname,
      TEKTON_TASKRUN_NAME: envValue(env, 'TEKTON_TASKRUN_NAME') ?? hostname?.replace(/-pod(-retry\d+)?$/, ''),
      TEKTON_NAMESPACE: envValue(env, 'TEKTON_NAMESPACE') ?? readNamespace(paths.namespaceFile),
      TEKTON_TASK_NAME: envValue(env, 'TEKTON_TASK_NAME'),
      TEKTON_PIPELINE_NAME: envValue(env, 'TEKTON_PIPELINE_NAME'),
      TEKTON_PIPELINERUN_NAME: envValue(env, 'TEKTON_PIPELINERUN_NAME'),
      TEKTON_PIPELINE_TASK_NAME: envValue(env, 'TEKTON_PIPELINE_TASK_NAME'),
    };
  }

  return {
    type: 'TEKTON_PIPELINE',
    displayName: 'Tekton',
    detect: () => isDirectory(paths.resultsDir),
    envVars: () => [
      ...optional('HOSTNAME'),
      ...required('TEKTON_TASKRUN_NAME', 'TEKTON_NAMESPACE'),
      ...optional('TEKTON_TASK_NAME', 'TEKTON_PIPELINE_NAME', 'TEKTON_PIPELINERUN_NAME', 'TEKTON_PIPELINE_TASK_NAME'),
    ],
    envValues: values,
    runUrl(env) {
      const resolved = values(env);
      const namespace = resolved.TEKTON_NAMESPACE;
      if (namespace === undefined) return undefined;
      const pipelineRun = resolved.TEKTON_PIPELINERUN_NAME;
      const taskRun = resolved.TEKTON_TASKRUN_NAME;
      const run =
        pipelineRun !== undefined
          ? `pipelineruns/${pipelineRun}`
          : taskRun !== undefined
            ? `taskruns/${taskRun}`
            : undefined;
      if (run === undefined) return undefined;
      const dashboard = envValue(env, 'TEKTON_DASHBOARD_URL');
      if (dashboard !== undefined) return `${dashboard.replace(/\/+$/, '')}/#/namespaces/${namespace}/${run}`;
      return `tekton://${namespace}/${run}`;
    },
    environment(env) {
      if (
        ['GOOGLE_CLOUD_PROJECT', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AZURE_FEDERATED_TOKEN_FILE'].some((n) =>
          envValue(env, n),
        )
      ) {
        return 'managed';
      }
      return envValue(env, 'KUBERNETES_SERVICE_HOST') !== undefined ? 'self-hosted' : 'unknown';
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readNamespace(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const namespace = readFileSync(file, 'utf8').trim();
    return namespace === '' ? undefined : namespace;
  } catch {
    return undefined;
  }
}

export const tekton: Runner = createTektonRunner();
