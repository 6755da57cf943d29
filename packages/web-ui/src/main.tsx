import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { csrfToken, signOut } from './api';
import { ErrorMessage } from './components';
import { href, type Route, useRoute } from './router';
import { messageOf, SIGNED_OUT_EVENT } from './use-api';
import { AccessView } from './views/access';
import { ContractsView } from './views/contracts';
import { RunDetailView } from './views/run-detail';
import { RunsView } from './views/runs';
import { SignIn } from './views/sign-in';
import { WorkflowsView } from './views/workflows';

function View({ route }: { route: Route }) {
  const [first, second, third] = route.path;
  if (first === 'runs' && second) return <RunDetailView id={second} />;
  if (first === 'runs') return <RunsView route={route} />;
  if (first === 'workflows' && second && third === 'contract')
    return <ContractsView workflowRef={second} route={route} />;
  if (first === 'workflows' && second && third === 'access') return <AccessView workflowRef={second} />;
  if (first === undefined || first === 'workflows') return <WorkflowsView />;
  return <ErrorMessage message={`no page at #/${route.path.join('/')}: open Workflows or Runs above`} />;
}

function App() {
  // The cookie is HttpOnly: whether a session exists is known from the CSRF token kept at sign-in, and a 401 from
  // the API (expired or signed out elsewhere) brings the sign-in form back.
  const [signedIn, setSignedIn] = useState(csrfToken.get() !== undefined);
  const [signOutError, setSignOutError] = useState<string>();
  const route = useRoute();
  useEffect(() => {
    const signedOut = () => setSignedIn(false);
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, []);
  const doSignOut = async () => {
    try {
      await signOut();
      setSignOutError(undefined);
    } catch (failure) {
      setSignOutError(messageOf(failure));
    }
    setSignedIn(false);
  };
  const section = route.path[0] ?? 'workflows';
  return (
    <>
      <header>
        <h1>Chainloop TS</h1>
        {signedIn && (
          <nav aria-label="Main">
            <a href={href(['workflows'])} aria-current={section === 'workflows' ? 'page' : undefined}>
              Workflows
            </a>
            <a href={href(['runs'])} aria-current={section === 'runs' ? 'page' : undefined}>
              Runs
            </a>
            <button type="button" onClick={doSignOut}>
              Sign out
            </button>
          </nav>
        )}
      </header>
      <main>
        {signOutError && <ErrorMessage message={signOutError} />}
        {signedIn ? <View route={route} /> : <SignIn onSignedIn={() => setSignedIn(true)} />}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
