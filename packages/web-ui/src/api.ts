/**
 * The control plane's API as the UI calls it: same origin, authenticated by the session cookie (HttpOnly, so this
 * script never sees it). State-changing requests send the CSRF token the sign-in returned.
 */

export interface Workflow {
  id: string;
  name: string;
  team: string;
  project: string;
  description: string;
  createdAt: string;
}

export interface Run {
  id: string;
  workflowId: string;
  status: string;
  createdAt: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CSRF_KEY = 'chainloop.csrf';

/** Kept per tab (sessionStorage): a reload keeps the session usable; closing the tab forgets it. */
export const csrfToken = {
  get: () => sessionStorage.getItem(CSRF_KEY) ?? undefined,
  set: (token: string) => sessionStorage.setItem(CSRF_KEY, token),
  clear: () => sessionStorage.removeItem(CSRF_KEY),
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = csrfToken.get();
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const message =
      parsed && typeof parsed === 'object' && 'message' in parsed && typeof parsed.message === 'string'
        ? parsed.message
        : `${method} ${path} answered ${response.status}`;
    throw new ApiFailure(response.status, message);
  }
  return parsed as T;
}

export async function signIn(token: string): Promise<void> {
  const { csrfToken: csrf } = await call<{ csrfToken: string }>('POST', '/v1/ui/session', { token });
  csrfToken.set(csrf);
}

export async function signOut(): Promise<void> {
  try {
    await call<void>('DELETE', '/v1/ui/session');
  } finally {
    csrfToken.clear();
  }
}

export async function listWorkflows(): Promise<Workflow[]> {
  return (await call<{ workflows: Workflow[] }>('GET', '/v1/workflows')).workflows;
}

/** The API lists at most this many runs per request; a busier workflow shows "1000+" for the week. */
export const RUN_LIST_LIMIT = 1000;

export async function listRuns(workflowId: string): Promise<Run[]> {
  const query = new URLSearchParams({ workflow: workflowId, limit: String(RUN_LIST_LIMIT) });
  return (await call<{ runs: Run[] }>('GET', `/v1/runs?${query}`)).runs;
}
