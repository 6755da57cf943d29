import { diffLines } from 'diff';
import { getWorkflow, listContractRevisions } from '../api';
import { ErrorMessage, Scrollable, Time } from '../components';
import { href, navigate, type Route } from '../router';
import { useApi } from '../use-api';

function Diff({ before, after }: { before: string; after: string }) {
  const parts = diffLines(before, after);
  return (
    <Scrollable className="diff" label="Diff between the two revisions">
      {parts.map((part, index) => {
        const lines = part.value.replace(/\n$/, '').split('\n');
        const prefix = part.added ? '+ ' : part.removed ? '- ' : '  ';
        const text = `${lines.map((line) => prefix + line).join('\n')}\n`;
        if (part.added) return <ins key={index}>{text}</ins>;
        if (part.removed) return <del key={index}>{text}</del>;
        return <span key={index}>{text}</span>;
      })}
    </Scrollable>
  );
}

/** Every revision of a workflow's contract, its YAML, and the line diff between any two. */
export function ContractsView({ workflowRef, route }: { workflowRef: string; route: Route }) {
  const loaded = useApi(async () => {
    const [workflow, revisions] = await Promise.all([getWorkflow(workflowRef), listContractRevisions(workflowRef)]);
    return { workflow, revisions };
  }, `contracts-${workflowRef}`);
  if (loaded.error) return <ErrorMessage message={loaded.error} />;
  if (!loaded.data) return <p>Loading contract revisions…</p>;
  const { workflow, revisions } = loaded.data;
  const numbers = revisions.map((revision) => revision.revision);
  const latest = numbers[numbers.length - 1];
  const pick = (name: string, fallback: number | undefined) => {
    const value = Number.parseInt(route.query.get(name) ?? '', 10);
    return numbers.includes(value) ? value : fallback;
  };
  const to = pick('to', latest);
  const from = pick('from', numbers.filter((number) => to !== undefined && number < to).pop());
  const body = (number: number | undefined) => revisions.find((revision) => revision.revision === number);
  const shown = body(to);
  const base = body(from);
  const choose = (name: 'from' | 'to') => (event: Event) => {
    const value = (event.currentTarget as HTMLSelectElement).value;
    navigate(href(['workflows', workflowRef, 'contract'], { from, to, [name]: value }));
  };
  return (
    <>
      <h2>
        Contract of <span class="workflow-name">{workflow.name}</span>
      </h2>
      <table class="revisions">
        <caption>Contract revisions</caption>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Format</th>
            <th scope="col">Uploaded</th>
          </tr>
        </thead>
        <tbody>
          {revisions.map((revision) => (
            <tr key={revision.revision} data-revision={revision.revision}>
              <td>
                <a href={href(['workflows', workflowRef, 'contract'], { to: revision.revision })}>
                  {revision.revision}
                </a>
              </td>
              <td>{revision.format}</td>
              <td>
                <Time iso={revision.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="revision-picker" onSubmit={(event) => event.preventDefault()}>
        <label>
          From revision
          <select name="from" value={from === undefined ? '' : String(from)} onChange={choose('from')}>
            <option value="">(none)</option>
            {numbers.map((number) => (
              <option key={number} value={String(number)}>
                {number}
              </option>
            ))}
          </select>
        </label>
        <label>
          To revision
          <select name="to" value={to === undefined ? '' : String(to)} onChange={choose('to')}>
            {numbers.map((number) => (
              <option key={number} value={String(number)}>
                {number}
              </option>
            ))}
          </select>
        </label>
      </form>
      {shown && (
        <section class="contract">
          <h3>Revision {shown.revision}</h3>
          <Scrollable className="contract-body" label={`Contract revision ${shown.revision}`}>
            {shown.body}
          </Scrollable>
        </section>
      )}
      {shown && base && (
        <section class="contract-diff">
          <h3>
            Changes from revision {base.revision} to revision {shown.revision}
          </h3>
          <Diff before={base.body} after={shown.body} />
        </section>
      )}
    </>
  );
}
