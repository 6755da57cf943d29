import { useState } from 'preact/hooks';
import {
  addWorkflowKey,
  createRobotAccount,
  getWorkflow,
  listRobotAccounts,
  listWorkflowKeys,
  type RobotAccount,
  removeWorkflowKey,
  revokeRobotAccount,
} from '../api';
import { ErrorMessage, Time } from '../components';
import { guarded, messageOf, useApi } from '../use-api';

function useAction() {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await guarded(action);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

/** A destructive button that asks once more in the page (no window.confirm: it blocks and hides the context). */
function Confirmed({
  label,
  question,
  busy,
  onConfirm,
}: {
  label: string;
  question: string;
  busy: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm">
      {question}{' '}
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Confirm: {label}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Keep it
      </button>
    </span>
  );
}

function RobotAccounts({ workflowRef }: { workflowRef: string }) {
  const accounts = useApi(() => listRobotAccounts(workflowRef), `robots-${workflowRef}`);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<RobotAccount>();
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    action.run(async () => {
      setCreated(await createRobotAccount(workflowRef, name.trim() || undefined));
      setName('');
      accounts.reload();
    });
  };
  const revoke = (account: RobotAccount) =>
    action.run(async () => {
      await revokeRobotAccount(workflowRef, account.id);
      if (created?.id === account.id) setCreated(undefined);
      accounts.reload();
    });
  return (
    <section class="robot-accounts">
      <h3>Robot accounts</h3>
      <form class="create-robot" onSubmit={create}>
        <label>
          Robot account name
          <input
            name="robot-name"
            value={name}
            onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={action.busy}>
          Create robot account
        </button>
      </form>
      {created?.token && (
        <div class="new-token" role="status">
          <p>
            Token of <strong>{created.name}</strong>: copy it now, it is shown only once.
          </p>
          <output class="token">{created.token}</output>{' '}
          <button type="button" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </div>
      )}
      {action.error && <ErrorMessage message={action.error} />}
      {accounts.error && <ErrorMessage message={accounts.error} />}
      {accounts.data && (
        <table class="robots">
          <caption>Robot accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">State</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {accounts.data.map((account) => (
              <tr key={account.id} data-robot-id={account.id}>
                <td class="name">{account.name}</td>
                <td>
                  <Time iso={account.createdAt} />
                </td>
                <td class="state">
                  {account.revokedAt ? (
                    <>
                      revoked <Time iso={account.revokedAt} />
                    </>
                  ) : (
                    'active'
                  )}
                </td>
                <td>
                  {!account.revokedAt && (
                    <Confirmed
                      label={`Revoke ${account.name}`}
                      question="CI jobs using its token stop working at once."
                      busy={action.busy}
                      onConfirm={() => revoke(account)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function WorkflowKeys({ workflowRef }: { workflowRef: string }) {
  const keys = useApi(() => listWorkflowKeys(workflowRef), `keys-${workflowRef}`);
  const [pem, setPem] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const add = (event: Event) => {
    event.preventDefault();
    action.run(async () => {
      await addWorkflowKey(workflowRef, pem, name.trim() || undefined);
      setPem('');
      setName('');
      keys.reload();
    });
  };
  const remove = (id: string) =>
    action.run(async () => {
      await removeWorkflowKey(workflowRef, id);
      keys.reload();
    });
  return (
    <section class="workflow-keys">
      <h3>Public keys</h3>
      <p>Once a workflow has a key, its key-signed attestations must verify with one of them.</p>
      <form class="add-key" onSubmit={add}>
        <label>
          Public key (PEM)
          <textarea
            name="public-key"
            rows={5}
            cols={66}
            value={pem}
            onInput={(event) => setPem((event.currentTarget as HTMLTextAreaElement).value)}
          />
        </label>
        <label>
          Key name
          <input
            name="key-name"
            value={name}
            onInput={(event) => setName((event.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={action.busy || pem.trim() === ''}>
          Add key
        </button>
      </form>
      {action.error && <ErrorMessage message={action.error} />}
      {keys.error && <ErrorMessage message={keys.error} />}
      {keys.data && (
        <table class="keys">
          <caption>Public keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Fingerprint</th>
              <th scope="col">Added</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id} data-key-id={key.id}>
                <td class="name">{key.name}</td>
                <td class="fingerprint">
                  <code>{key.fingerprint}</code>
                </td>
                <td>
                  <Time iso={key.createdAt} />
                </td>
                <td>
                  <Confirmed
                    label={`Remove ${key.name}`}
                    question="Key-signed attestations will have to verify with another registered key."
                    busy={action.busy}
                    onConfirm={() => remove(key.id)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Who may push to a workflow (robot accounts) and which keys its attestations must verify with. */
export function AccessView({ workflowRef }: { workflowRef: string }) {
  const workflow = useApi(() => getWorkflow(workflowRef), `workflow-${workflowRef}`);
  if (workflow.error) return <ErrorMessage message={workflow.error} />;
  if (!workflow.data) return <p>Loading workflow…</p>;
  return (
    <>
      <h2>
        Robot accounts and keys of <span class="workflow-name">{workflow.data.name}</span>
      </h2>
      <RobotAccounts workflowRef={workflow.data.id} />
      <WorkflowKeys workflowRef={workflow.data.id} />
    </>
  );
}
