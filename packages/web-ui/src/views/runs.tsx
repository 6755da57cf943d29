import { useEffect, useState } from 'preact/hooks';
import { listRuns, listWorkflows, RUN_STATUSES, type RunFilter } from '../api';
import { ErrorMessage, StatusBadge, Time } from '../components';
import { isoToLocalInput, localInputToIso } from '../format';
import { href, navigate, type Route } from '../router';
import { useApi } from '../use-api';

export const RUNS_PER_PAGE = 50;

/** The runner types core detects (packages/core/src/runners). */
const RUNNER_TYPES = [
  'GITHUB_ACTION',
  'GITLAB_PIPELINE',
  'JENKINS_JOB',
  'CIRCLECI_BUILD',
  'AZURE_PIPELINE',
  'DAGGER_PIPELINE',
  'TEAMCITY_PIPELINE',
  'TEKTON_PIPELINE',
  'RUNNER_TYPE_UNSPECIFIED',
];

function filterOf(route: Route): RunFilter {
  const value = (name: string) => route.query.get(name) || undefined;
  return {
    workflow: value('workflow'),
    status: value('status'),
    runner: value('runner'),
    version: value('version'),
    since: value('since'),
    until: value('until'),
  };
}

/** The form's fields for a filter: text as the inputs hold it (local time for the time fields). */
function draftOf(filter: RunFilter) {
  return {
    workflow: filter.workflow ?? '',
    status: filter.status ?? '',
    runner: filter.runner ?? '',
    version: filter.version ?? '',
    since: isoToLocalInput(filter.since),
    until: isoToLocalInput(filter.until),
  };
}

function FilterForm({
  filter,
  workflows,
}: {
  filter: RunFilter;
  workflows: Array<{ id: string; name: string; project: string }>;
}) {
  const [draft, setDraft] = useState(() => draftOf(filter));
  // A new route (a link, Back, Clear) replaces what was typed.
  useEffect(() => {
    setDraft(draftOf(filter));
  }, [filter.workflow, filter.status, filter.runner, filter.version, filter.since, filter.until]);
  const field = (name: keyof typeof draft) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement | HTMLSelectElement).value });
  const apply = (event: Event) => {
    event.preventDefault();
    navigate(
      href(['runs'], {
        workflow: draft.workflow,
        status: draft.status,
        runner: draft.runner,
        version: draft.version.trim(),
        since: localInputToIso(draft.since),
        until: localInputToIso(draft.until),
      }),
    );
  };
  return (
    <form class="filters" onSubmit={apply}>
      <label>
        Workflow
        <select name="workflow" value={draft.workflow} onChange={field('workflow')}>
          <option value="">All workflows</option>
          {workflows.map((workflow) => (
            <option key={workflow.id} value={workflow.id}>
              {`${workflow.name} (${workflow.project})`}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select name="status" value={draft.status} onChange={field('status')}>
          <option value="">Any status</option>
          {RUN_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
      <label>
        Runner
        <select name="runner" value={draft.runner} onChange={field('runner')}>
          <option value="">Any runner</option>
          {RUNNER_TYPES.map((runner) => (
            <option key={runner} value={runner}>
              {runner}
            </option>
          ))}
        </select>
      </label>
      <label>
        Version
        <input name="version" size={10} value={draft.version} onInput={field('version')} />
      </label>
      <label>
        From
        <input name="since" type="datetime-local" value={draft.since} onInput={field('since')} />
      </label>
      <label>
        To
        <input name="until" type="datetime-local" value={draft.until} onInput={field('until')} />
      </label>
      <button type="submit">Apply filters</button>
      <a href={href(['runs'])}>Clear</a>
    </form>
  );
}

/** Runs, newest first, filtered and paginated by the control plane: a page is one request whatever the total. */
export function RunsView({ route }: { route: Route }) {
  const filter = filterOf(route);
  const page = Math.max(1, Number.parseInt(route.query.get('page') ?? '1', 10) || 1);
  const workflows = useApi(listWorkflows, 'workflow-options');
  const key = JSON.stringify({ filter, page });
  const loaded = useApi(() => listRuns(filter, RUNS_PER_PAGE, (page - 1) * RUNS_PER_PAGE), key);
  const pages = loaded.data ? Math.max(1, Math.ceil(loaded.data.total / RUNS_PER_PAGE)) : 1;
  const pageLink = (target: number) => href(['runs'], { ...filter, page: target });
  return (
    <>
      <h2>Runs</h2>
      <FilterForm filter={filter} workflows={workflows.data ?? []} />
      {loaded.error && <ErrorMessage message={loaded.error} />}
      {!loaded.data && !loaded.error && <p>Loading runs…</p>}
      {loaded.data && (
        <>
          <table class="runs">
            <caption>Runs</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Workflow</th>
                <th scope="col">Status</th>
                <th scope="col">Version</th>
                <th scope="col">Runner</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.runs.map((run) => (
                <tr key={run.id} data-run-id={run.id}>
                  <td class="run">
                    <a href={href(['runs', run.id])}>{run.id}</a>
                  </td>
                  <td class="workflow">{run.workflowName}</td>
                  <td class="status">
                    <StatusBadge status={run.status} />
                  </td>
                  <td class="version">{run.projectVersion ?? ''}</td>
                  <td class="runner">{run.runnerType}</td>
                  <td class="created">
                    <Time iso={run.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {loaded.data.runs.length === 0 && <p>No run matches these filters.</p>}
          <nav class="pagination" aria-label="Pages of runs">
            {page > 1 ? <a href={pageLink(page - 1)}>Previous page</a> : <span>Previous page</span>}
            <span class="page-info">
              Page {page} of {pages} ({loaded.data.total} runs)
            </span>
            {page < pages ? <a href={pageLink(page + 1)}>Next page</a> : <span>Next page</span>}
          </nav>
        </>
      )}
    </>
  );
}
