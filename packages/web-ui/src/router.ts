import { useEffect, useState } from 'preact/hooks';

/**
 * Hash routes (`#/runs?status=failed`): the control plane serves one index.html at `/`, so every view lives in the
 * fragment and a reload or a shared link opens the same view.
 */
export interface Route {
  /** Path segments after `#/`, e.g. ['runs', '<id>']. */
  path: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = text.split('?', 2);
  const path = pathPart
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decodeURIComponent(part));
  return { path, query: new URLSearchParams(queryPart) };
}

/** The `#/…` link of a view: path segments are encoded, empty query values dropped. */
export function href(path: string[], query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return `#/${path.map((part) => encodeURIComponent(part)).join('/')}${search ? `?${search}` : ''}`;
}

export function navigate(link: string): void {
  window.location.hash = link.replace(/^#/, '');
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
