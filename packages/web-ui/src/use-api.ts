import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiFailure, csrfToken } from './api';

/** Fired when the API answers 401 (session expired or ended elsewhere): the app shows the sign-in form again. */
export const SIGNED_OUT_EVENT = 'chainloop:signed-out';

export function messageOf(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

/** Runs an API call; a 401 ends the session in this tab instead of showing an error. */
export async function guarded<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (failure) {
    if (failure instanceof ApiFailure && failure.status === 401) {
      csrfToken.clear();
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
    throw failure;
  }
}

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/** Loads `load()` whenever `key` changes; answers from an older key are dropped. */
export function useApi<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: string }>({ key: '' });
  const [generation, setGeneration] = useState(0);
  // `key` stands for everything `load` reads: a new closure each render must not reload.
  useEffect(() => {
    let current = true;
    guarded(load).then(
      (data) => current && setState({ key, data }),
      (failure) => current && setState({ key, error: messageOf(failure) }),
    );
    return () => {
      current = false;
    };
  }, [key, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const fresh = state.key === key;
  return {
    data: fresh ? state.data : undefined,
    error: fresh ? state.error : undefined,
    loading: !fresh,
    reload,
  };
}
