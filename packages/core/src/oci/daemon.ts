import { existsSync } from 'node:fs';
import { ChainloopError } from '../errors';
import { parseImageReference } from './reference';

/** The value prefix that sends a reference straight to the local engine (skopeo's transport name). */
export const DOCKER_DAEMON_PREFIX = 'docker-daemon:';
const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Where the Docker Engine API listens, in dockerode's terms. */
export type DaemonEndpoint =
  | { socketPath: string; label: string }
  | { protocol: 'http' | 'https'; host: string; port: number; label: string };

/** An image found in the local engine. */
export interface DaemonImage {
  /** Fully qualified repository. */
  name: string;
  /** From RepoDigests (the registry's manifest digest), else the image id (config digest, engine-local). */
  digest: string;
  tag?: string;
  /** Which field the digest came from. */
  digestSource: 'RepoDigests' | 'Id';
}

/** The engine to ask: DOCKER_HOST (unix:// or tcp://), else /var/run/docker.sock when it exists; undefined otherwise. */
export function findDaemonEndpoint(
  env: NodeJS.ProcessEnv = process.env,
  defaultSocket = DEFAULT_DOCKER_SOCKET,
): DaemonEndpoint | undefined {
  const host = env.DOCKER_HOST?.trim();
  if (host) {
    if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length), label: host };
    const url = /^(tcp|http|https):\/\//.test(host)
      ? new URL(host.replace(/^tcp:/, env.DOCKER_TLS_VERIFY ? 'https:' : 'http:'))
      : undefined;
    if (!url) {
      throw new ChainloopError(
        'DOCKER_HOST_INVALID',
        `DOCKER_HOST "${host}" is not supported: use unix:///path/to/docker.sock or tcp://host:port`,
      );
    }
    const protocol = url.protocol === 'https:' ? 'https' : 'http';
    return {
      protocol,
      host: url.hostname,
      port: Number(url.port || (protocol === 'https' ? 2376 : 2375)),
      label: host,
    };
  }
  if (existsSync(defaultSocket)) return { socketPath: defaultSocket, label: `unix://${defaultSocket}` };
  return undefined;
}

interface ImageInspect {
  Id?: string;
  RepoDigests?: string[];
}

/** Picks the RepoDigests entry of the same repository as the reference, else the first one. */
function pickRepoDigest(repoDigests: string[], wantedName: string): { name: string; digest: string } | undefined {
  const parsed = repoDigests.flatMap((entry) => {
    try {
      const ref = parseImageReference(entry);
      return ref.digest ? [{ name: ref.name, digest: ref.digest }] : [];
    } catch {
      return [];
    }
  });
  return parsed.find((p) => p.name === wantedName) ?? parsed[0];
}

/**
 * Asks the Docker Engine API (through dockerode) for an image by the name the user gave. Returns undefined when the
 * engine does not have it; throws when the engine cannot be reached.
 */
export async function inspectDaemonImage(
  imageName: string,
  endpoint: DaemonEndpoint,
): Promise<DaemonImage | undefined> {
  const ref = parseImageReference(imageName);
  const { default: Docker } = await import('dockerode');
  const { label, ...connection } = endpoint;
  const docker = new Docker(connection);
  let inspected: ImageInspect;
  try {
    inspected = (await docker.getImage(imageName).inspect()) as ImageInspect;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404) return undefined;
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new ChainloopError(
      'DOCKER_DAEMON_UNREACHABLE',
      `local container engine at ${label} did not answer for image ${imageName} (${status ? `HTTP ${status}` : code}): start the engine or fix DOCKER_HOST`,
      { cause: error },
    );
  }
  const fromRegistry = pickRepoDigest(inspected.RepoDigests ?? [], ref.name);
  if (fromRegistry)
    return { name: fromRegistry.name, digest: fromRegistry.digest, tag: ref.tag, digestSource: 'RepoDigests' };
  if (!inspected.Id?.startsWith('sha256:')) {
    throw new ChainloopError(
      'DOCKER_DAEMON_UNREACHABLE',
      `local container engine at ${label} returned no digest for image ${imageName}: push the image to a registry and use its reference`,
    );
  }
  return { name: ref.name, digest: inspected.Id, tag: ref.tag, digestSource: 'Id' };
}
