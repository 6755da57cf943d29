import { useState } from 'preact/hooks';
import { signIn } from '../api';
import { ErrorMessage } from '../components';
import { messageOf } from '../use-api';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
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
      setError(messageOf(failure));
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
      {error && <ErrorMessage message={error} />}
    </form>
  );
}
