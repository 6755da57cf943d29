import { type DayCounts, getActivity, listWorkflows, RUN_STATUSES } from '../api';
import { ErrorMessage, StatusBadge } from '../components';
import { href } from '../router';
import { useApi } from '../use-api';
import { ActivityChart } from './activity-chart';

const DAYS = 7;

/** Every workflow with its latest run and its runs of the last 7 days, counted by the control plane. */
export function WorkflowsView() {
  const loaded = useApi(async () => {
    const [workflows, activity] = await Promise.all([listWorkflows(), getActivity(DAYS)]);
    return { workflows, activity };
  }, 'workflows');
  if (loaded.error) return <ErrorMessage message={loaded.error} />;
  if (!loaded.data) return <p>Loading workflows…</p>;
  const { workflows, activity } = loaded.data;
  if (workflows.length === 0) return <p>No workflows yet: create one with chainloop workflow create.</p>;
  const byWorkflow = new Map(activity.workflows.map((entry) => [entry.workflowId, entry]));
  const totals: DayCounts[] = activity.days.map((date, index) => {
    const day = { date } as DayCounts;
    for (const status of RUN_STATUSES) {
      day[status] = activity.workflows.reduce((sum, entry) => sum + (entry.perDay[index]?.[status] ?? 0), 0);
    }
    return day;
  });
  return (
    <>
      <h2>Workflows</h2>
      <ActivityChart days={activity.days} totals={totals} />
      <table class="workflows">
        <caption>Workflows</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Team</th>
            <th scope="col">Project</th>
            <th scope="col">Latest run</th>
            <th scope="col">Runs in the last 7 days</th>
            <th scope="col">Manage</th>
          </tr>
        </thead>
        <tbody>
          {workflows.map((workflow) => {
            const entry = byWorkflow.get(workflow.id);
            const latest = entry?.latestRun;
            return (
              <tr key={workflow.id} data-workflow-id={workflow.id}>
                <td class="name">
                  <a href={href(['runs'], { workflow: workflow.id })}>{workflow.name}</a>
                </td>
                <td class="team">{workflow.team}</td>
                <td class="project">{workflow.project}</td>
                <td class="latest">
                  {latest ? (
                    <a href={href(['runs', latest.id])}>
                      <StatusBadge status={latest.status} />
                    </a>
                  ) : (
                    'no runs'
                  )}
                </td>
                <td class="week">{String(entry?.runsInPeriod ?? 0)}</td>
                <td class="manage">
                  <a href={href(['workflows', workflow.id, 'contract'])} aria-label={`Contract of ${workflow.name}`}>
                    Contract
                  </a>{' '}
                  <a
                    href={href(['workflows', workflow.id, 'access'])}
                    aria-label={`Robot accounts and keys of ${workflow.name}`}
                  >
                    Robot accounts and keys
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
