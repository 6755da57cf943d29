// Outgoing requests through the proxy the environment names, as curl does: HTTPS_PROXY / https_proxy for https URLs,
// HTTP_PROXY / http_proxy for http URLs (the lowercase name wins when both are set), except for hosts NO_PROXY /
// no_proxy lists. Loopback is not exempt unless listed. The matcher is our own: proxy-from-env treats `example.com` as
// that host only, where curl (and this) also exempts its subdomains. The agents (https-proxy-agent for CONNECT
// tunnels, http-proxy-agent for absolute-URI requests) are imported only when a proxy applies: the CLI bundle packs
// them, so a run without a proxy variable never loads them.
import type { Agent } from 'node:http';
import { BlockList, isIP } from 'node:net';
import { ChainloopError, UsageError } from '../errors';

/** The proxy a request goes through: where it is (never with credentials) and which variable named it. */
export interface ProxyRoute {
  /** The proxy's URL as given, credentials included: for the agent only, never shown. */
  readonly url: URL;
  /** `http://host:port` of the proxy, without user or password: what messages show. */
  readonly shown: string;
  /** The variable that set it (`HTTPS_PROXY`, `http_proxy`…), as the user spelled it. */
  readonly variable: string;
  /** The variable that would exempt a host, as the user spelled it when set (`NO_PROXY` otherwise). */
  readonly noProxyVariable: string;
}

type Env = Record<string, string | undefined>;

/** The first of `names` set to a non-empty value: its name and value. */
function firstSet(env: Env, names: string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return [name, value];
  }
  return undefined;
}

/** The host of a URL as NO_PROXY compares it: lowercase, no IPv6 brackets, no trailing dot. */
function bareHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

/**
 * Whether NO_PROXY exempts `host:port`. Entries are comma (or space) separated: `*` (every host), a name (that host
 * and its subdomains; a leading `.` or `*.` changes nothing), an IP address, a CIDR range (`10.0.0.0/8`), each
 * optionally with `:port` (`[::1]:8080` for IPv6) to exempt only that port.
 */
export function noProxyMatches(noProxy: string, host: string, port: number): boolean {
  const target = bareHost(host);
  for (const raw of noProxy.toLowerCase().split(/[,\s]+/)) {
    let entry = raw.trim();
    if (!entry) continue;
    if (entry === '*') return true;
    let entryPort: number | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1];
      entryPort = bracketed[2] ? Number(bracketed[2]) : undefined;
    } else {
      const withPort = /^([^:]+):(\d+)$/.exec(entry);
      if (withPort) {
        entry = withPort[1];
        entryPort = Number(withPort[2]);
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    if (entry.includes('/')) {
      if (cidrContains(entry, target)) return true;
      continue;
    }
    if (isIP(entry)) {
      if (isIP(target) && sameAddress(entry, target)) return true;
      continue;
    }
    const name = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (name && (target === name || target.endsWith(`.${name}`))) return true;
  }
  return false;
}

function sameAddress(a: string, b: string): boolean {
  const family = isIP(a) === 6 ? 'ipv6' : 'ipv4';
  if (isIP(b) !== isIP(a)) return false;
  const list = new BlockList();
  list.addAddress(a, family);
  return list.check(b, family);
}

function cidrContains(cidr: string, address: string): boolean {
  const [network, bits] = cidr.split('/');
  const family = isIP(network);
  if (!family || isIP(address) !== family || !/^\d+$/.test(bits ?? '')) return false;
  const list = new BlockList();
  try {
    list.addSubnet(network, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** The proxy `target` goes through, from the environment; undefined when none applies. */
export function proxyFor(target: URL, env: Env = process.env): ProxyRoute | undefined {
  const scheme = target.protocol === 'https:' ? 'https' : target.protocol === 'http:' ? 'http' : undefined;
  if (!scheme) return undefined;
  const set = firstSet(env, [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`]);
  if (!set) return undefined;
  const [variable, value] = set;
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  const port = Number(target.port) || (scheme === 'https' ? 443 : 80);
  if (noProxy && noProxyMatches(noProxy[1], target.hostname, port)) return undefined;
  let url: URL;
  try {
    // `proxy:3128` without a scheme means http://, as for curl.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    // The value itself may hold a password: never repeat it.
    throw new UsageError(
      'INVALID_PROXY',
      `${variable} is not a proxy URL: set it to http://host:port (or http://user:password@host:port), or unset it`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      'INVALID_PROXY',
      `${variable} names a ${url.protocol.replace(/:$/, '')}:// proxy at ${url.host}, but chainloop speaks only to http:// and https:// proxies: set ${variable} to one, or add ${target.hostname} to NO_PROXY`,
    );
  }
  return {
    url,
    shown: `${url.protocol}//${url.host}`,
    variable,
    noProxyVariable: noProxy?.[0] ?? 'NO_PROXY',
  };
}

/** Credentials of a proxy URL as a Proxy-Authorization header, so the agent never holds (nor logs) them. */
function proxyHeaders(url: URL): Record<string, string> {
  if (!url.username && !url.password) return {};
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

const agents = new Map<string, Promise<Agent>>();

/**
 * The agent that sends a request for `target` through `route`: a CONNECT tunnel for https (TLS to the target inside),
 * an absolute-URI request for http. One per proxy and scheme per process. Tunnels are kept alive like Node's own
 * connections; forwarded requests are not: HTTP/1.0 proxies (tinyproxy) relay the server's keep-alive answer and then
 * close the connection anyway, so reusing it would fail the next request with ECONNRESET.
 */
export function proxyAgent(route: ProxyRoute, target: URL): Promise<Agent> {
  const tunnel = target.protocol === 'https:';
  const key = `${tunnel ? 'connect' : 'forward'} ${route.url.href}`;
  let agent = agents.get(key);
  if (!agent) {
    const proxy = new URL(route.shown);
    const options = { keepAlive: tunnel, headers: proxyHeaders(route.url) };
    agent = tunnel
      ? import('https-proxy-agent').then(({ HttpsProxyAgent }) => new HttpsProxyAgent(proxy, options))
      : import('http-proxy-agent').then(({ HttpProxyAgent }) => new HttpProxyAgent(proxy, options));
    agents.set(key, agent);
  }
  return agent;
}

/** A request that never got past the proxy: it could not be reached, or it refused to connect us to the target. */
export class ProxyError extends ChainloopError {
  /** Nothing reached the target: safe to send again. */
  readonly requestMayHaveArrived = false;

  constructor(message: string, cause?: unknown) {
    super('PROXY_UNREACHABLE', message, { cause });
    this.name = 'ProxyError';
  }
}

function fixFor(route: ProxyRoute, target: URL): string {
  return `check ${route.variable}, or add ${bareHost(target.hostname)} to ${route.noProxyVariable} to connect directly`;
}

/** The proxy could not be reached (or did not answer in time): `reason` as describeConnectionError words it. */
export function proxyUnreachable(route: ProxyRoute, target: URL, reason: string, cause?: unknown): ProxyError {
  return new ProxyError(
    `cannot reach the proxy ${route.shown} (from ${route.variable}) for ${target.origin} (${reason}): ${fixFor(route, target)}`,
    cause,
  );
}

/** The proxy answered a CONNECT (or a request) with a refusal. */
export function proxyRefused(route: ProxyRoute, target: URL, status: number, statusText: string): ProxyError {
  // 407 is the standard answer; some proxies (tinyproxy) answer a CONNECT with wrong credentials with 401.
  const reason =
    status === 407 || status === 401
      ? `${status} ${statusText || 'Proxy Authentication Required'}: it wants a user and password, and those in ${route.variable}, if any, were not accepted`
      : `${status} ${statusText}`.trim();
  return new ProxyError(
    `the proxy ${route.shown} (from ${route.variable}) refused to connect to ${target.host} (${reason}): ${fixFor(route, target)}`,
  );
}
