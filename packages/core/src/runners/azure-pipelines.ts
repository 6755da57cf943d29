import { allSet, envValue, optional, required } from './env-value';
import type { Runner } from './runner';

export const azurePipelines: Runner = {
  type: 'AZURE_PIPELINE',
  displayName: 'Azure Pipelines',
  detect: (env) => allSet(env, 'TF_BUILD', 'BUILD_BUILDURI'),
  envVars: () => [
    ...required('BUILD_REQUESTEDFOR', 'BUILD_BUILDID', 'BUILD_BUILDNUMBER', 'BUILD_BUILDURI'),
    ...optional('BUILD_REQUESTEDFOREMAIL', 'BUILD_REPOSITORY_URI', 'BUILD_REPOSITORY_NAME', 'BUILD_REASON', 'TF_BUILD'),
  ],
  runUrl(env) {
    const server = envValue(env, 'SYSTEM_TEAMFOUNDATIONSERVERURI');
    if (server === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      return undefined;
    }
    const project = encodeURIComponent(env.SYSTEM_TEAMPROJECT ?? '');
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${project}/_build/results`.replace(/\/{2,}/g, '/');
    // Keys in sorted order, as Go's url.Values.Encode writes them.
    url.search = new URLSearchParams({
      buildId: env.BUILD_BUILDID ?? '',
      j: env.SYSTEM_JOBID ?? '',
      view: 'logs',
    }).toString();
    return url.toString();
  },
  environment: () => 'unknown',
};
