/**
 * Which registries may be spoken to over plain HTTP. Loopback registries are (the way docker treats them); any other
 * host only when the user names it with --insecure-registry / CHAINLOOP_INSECURE_REGISTRIES.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Splits `host:port` into its host part; keeps IPv6 brackets. */
export function hostWithoutPort(registry: string): string {
  const portAt = registry.lastIndexOf(':');
  return portAt > registry.lastIndexOf(']') ? registry.slice(0, portAt) : registry;
}

/** Parses the comma- or space-separated CHAINLOOP_INSECURE_REGISTRIES value. */
export function parseInsecureRegistries(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** True when `registry` (host[:port]) may use plain HTTP: loopback, or listed as `host` or `host:port`. */
export function isInsecureRegistry(registry: string, insecureRegistries: readonly string[] = []): boolean {
  const host = hostWithoutPort(registry).toLowerCase();
  if (LOOPBACK_HOSTS.has(host)) return true;
  return insecureRegistries.some((entry) => {
    const listed = entry
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, '')
      .toLowerCase();
    return listed === registry.toLowerCase() || listed === host;
  });
}

/** The base URL of a registry's distribution API. */
export function registryBaseUrl(registry: string, insecure: boolean): string {
  return `${insecure ? 'http' : 'https'}://${registry}`;
}
