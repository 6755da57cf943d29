/** The pipeline a harness run pretends to be: the values CircleCI derives its built-in variables from. */
export interface Pipeline {
  /** Commit the jobs check out (CIRCLE_SHA1). */
  sha: string;
  branch: string;
  organization: string;
  repository: string;
  /** Local git repository the `checkout` step clones. */
  repositoryPath: string;
  number: number;
}

/**
 * CircleCI's built-in variables for one job (circleci.com/docs/reference/variables): the ones Chainloop's runner
 * detection requires (CI, CIRCLECI, CIRCLE_BUILD_URL, CIRCLE_JOB, CIRCLE_BRANCH, CIRCLE_NODE_TOTAL/INDEX) and the
 * usual others.
 */
export function circleCiEnvironment(
  pipeline: Pipeline,
  job: {
    name: string;
    buildNumber: number;
    workflowId: string;
    jobId: string;
    workingDirectory: string;
    nodeIndex?: number;
    nodeTotal?: number;
  },
): Record<string, string> {
  const slug = `gh/${pipeline.organization}/${pipeline.repository}`;
  return {
    CI: 'true',
    CIRCLECI: 'true',
    CIRCLE_BRANCH: pipeline.branch,
    CIRCLE_BUILD_NUM: String(job.buildNumber),
    CIRCLE_BUILD_URL: `https://circleci.com/${slug}/${job.buildNumber}`,
    CIRCLE_JOB: job.name,
    CIRCLE_NODE_INDEX: String(job.nodeIndex ?? 0),
    CIRCLE_NODE_TOTAL: String(job.nodeTotal ?? 1),
    CIRCLE_PROJECT_REPONAME: pipeline.repository,
    CIRCLE_PROJECT_USERNAME: pipeline.organization,
    CIRCLE_REPOSITORY_URL: `git@github.com:${pipeline.organization}/${pipeline.repository}.git`,
    CIRCLE_SHA1: pipeline.sha,
    CIRCLE_USERNAME: 'dev',
    CIRCLE_WORKFLOW_ID: job.workflowId,
    CIRCLE_WORKFLOW_JOB_ID: job.jobId,
    CIRCLE_WORKING_DIRECTORY: job.workingDirectory,
  };
}

/** Pipeline values (`<< pipeline.x >>`). */
export function pipelineValues(pipeline: Pipeline): Record<string, unknown> {
  return {
    number: pipeline.number,
    'git.revision': pipeline.sha,
    'git.branch': pipeline.branch,
    'project.git_url': `https://github.com/${pipeline.organization}/${pipeline.repository}`,
    'project.type': 'github',
  };
}
