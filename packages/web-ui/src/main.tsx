import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, csrfToken, listRuns, listWorkflows, RUN_LIST_LIMIT, type Run, signIn, signOut } from './api';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

interface WorkflowRow {
  id: string;
  name: string;
  team: string;
  project: string;
  latestStatus?: string;
  runsThisWeek: number;
  /** The week's count reached the API's page size: there may be more. */
  more: boolean;
}

function summarize(runs: Run[], now: number): Pick<WorkflowRow, 'latestStatus' | 'runsThisWeek' | 'more'> {
  // Runs come newest first.
  const recent = runs.filter((run) => now - Date.parse(run.createdAt) <= WEEK_MS);
  return {
    latestStatus: runs[0]?.status,
    runsThisWeek: recent.length,
    more: runs.length === RUN_LIST_LIMIT && recent.length === runs.length,
  };
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(token);
      setToken('');
      onSignedIn();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="sign-in" onSubmit={submit}>
      <h2>Sign in</h2>
      <label for="token">Admin token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="off"
        value={token}
        onInput={(event) => setToken((event.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" disabled={busy || token === ''}>
        Sign in
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function Workflows({ onSignedOut }: { onSignedOut: () => void }) {
  const [rows, setRows] = useState<WorkflowRow[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const workflows = await listWorkflows();
        const now = Date.now();
        const loaded = await Promise.all(
          workflows.map(async (workflow) => ({
            id: workflow.id,
            name: workflow.name,
            team: workflow.team,
            project: workflow.project,
            ...summarize(await listRuns(workflow.id), now),
          })),
        );
        if (!cancelled) setRows(loaded);
      } catch (failure) {
        if (failure instanceof ApiFailure && failure.status === 401) {
          csrfToken.clear();
          onSignedOut();
          return;
        }
        if (!cancelled) setError(failure instanceof Error ? failure.message : String(failure));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [onSignedOut]);
  if (error) {
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  }
  if (!rows) return <p>Loading workflows…</p>;
  if (rows.length === 0) return <p>No workflows yet: create one with chainloop workflow create.</p>;
  return (
    <table>
      <caption>Workflows</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Team</th>
          <th scope="col">Project</th>
          <th scope="col">Latest run</th>
          <th scope="col">Runs in the last 7 days</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} data-workflow-id={row.id}>
            <td class="name">{row.name}</td>
            <td class="team">{row.team}</td>
            <td class="project">{row.project}</td>
            <td class={`latest status-${row.latestStatus ?? 'none'}`}>{row.latestStatus ?? 'no runs'}</td>
            <td class="week">{row.more ? `${row.runsThisWeek}+` : String(row.runsThisWeek)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function App() {
  // The cookie is HttpOnly: whether a session exists is known from the CSRF token kept at sign-in, and a 401 from
  // the API (expired or signed out elsewhere) brings the sign-in form back.
  const [signedIn, setSignedIn] = useState(csrfToken.get() !== undefined);
  const [signOutError, setSignOutError] = useState<string>();
  const signedOut = () => setSignedIn(false);
  const doSignOut = async () => {
    try {
      await signOut();
      setSignOutError(undefined);
    } catch (failure) {
      setSignOutError(failure instanceof Error ? failure.message : String(failure));
    }
    setSignedIn(false);
  };
  return (
    <>
      <header>
        <h1>Chainloop TS</h1>
        {signedIn && (
          <button type="button" onClick={doSignOut}>
            Sign out
          </button>
        )}
      </header>
      <main>
        {signOutError && (
          <p class="error" role="alert">
            {signOutError}
          </p>
        )}
        {signedIn ? <Workflows onSignedOut={signedOut} /> : <SignIn onSignedIn={() => setSignedIn(true)} />}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
