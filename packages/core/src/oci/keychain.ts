import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ChainloopError, UsageError } from '../errors';
import { DOCKER_HUB_REGISTRY, isDockerHub, normalizeRegistryHost } from './reference';

/** A username and password (or token) for one registry. Never logged, never put in an error message. */
export interface RegistryCredential {
  username: string;
  password: string;
  /** An OAuth2 refresh token (docker's `identitytoken`, or a helper answering Username `<token>`), for Bearer realms. */
  identityToken?: string;
}

/** Where the keychain found a registry's credential; `source` is what error messages and debug output show. */
export interface KeychainResult {
  credential?: RegistryCredential;
  /** e.g. `auths["127.0.0.1:5000"] in /home/me/.docker/config.json`, `anonymous`. Never holds a secret. */
  source: string;
}

export interface KeychainOptions {
  registryServer?: string;
  registryUsername?: string;
  registryPassword?: string;
  /** Environment for DOCKER_CONFIG, HOME and the PATH credential helpers are found on. */
  env?: NodeJS.ProcessEnv;
}

/** The key docker (and go-containerregistry) uses for Docker Hub in config.json and for credential helpers. */
const DOCKER_HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';
const IDENTITY_TOKEN_USERNAME = '<token>';
const CREDENTIAL_HELPER_TIMEOUT_MS = 30_000;

interface AuthsEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfigFile {
  auths?: Record<string, AuthsEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** docker's ConvertToHostname: drops the scheme and any path, so `https://host/v1/` and `host` are the same key. */
function configKeyToHost(key: string): string {
  const host = key.replace(/^https?:\/\//i, '').split('/')[0];
  return normalizeRegistryHost(host);
}

/** Validates explicit --registry-* credentials and returns the one host they apply to, or undefined when none are set. */
function explicitServer(options: KeychainOptions): string | undefined {
  const given = {
    '--registry-server': options.registryServer,
    '--registry-username': options.registryUsername,
    '--registry-password': options.registryPassword,
  };
  const missing = Object.entries(given)
    .filter(([, v]) => v === undefined || v === '')
    .map(([flag]) => flag);
  if (missing.length === 3) return undefined;
  if (missing.length > 0) {
    throw new UsageError(
      'REGISTRY_CREDENTIALS_INCOMPLETE',
      `registry credentials are incomplete: ${missing.join(' and ')} missing (or CHAINLOOP_REGISTRY_SERVER/USERNAME/PASSWORD); give all three or none`,
    );
  }
  const server = options.registryServer as string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(server)) {
    throw new UsageError(
      'REGISTRY_SERVER_INVALID',
      `--registry-server "${server}" must be a host name without a scheme, e.g. ${server.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]}`,
    );
  }
  const host = server.replace(/\/+$/, '');
  if (host.includes('/')) {
    throw new UsageError(
      'REGISTRY_SERVER_INVALID',
      `--registry-server "${server}" must be a registry host[:port] without a path, e.g. ${host.split('/')[0]}`,
    );
  }
  return normalizeRegistryHost(host);
}

/** The docker config file the keychain reads: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(env.HOME || homedir(), '.docker', 'config.json');
}

async function readDockerConfig(path: string): Promise<DockerConfigFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ChainloopError(
      'DOCKER_CONFIG_UNREADABLE',
      `docker config ${path} cannot be read (${(error as Error).message}): fix its permissions or set DOCKER_CONFIG to another folder`,
    );
  }
  try {
    return JSON.parse(text) as DockerConfigFile;
  } catch (error) {
    throw new ChainloopError(
      'DOCKER_CONFIG_INVALID',
      `docker config ${path} is not valid JSON (${(error as Error).message}): fix or remove it`,
    );
  }
}

/** Runs `docker-credential-<helper> get` with the server on stdin, as docker does. Undefined when the helper has none. */
export async function runCredentialHelper(
  helper: string,
  serverAddress: string,
  env: NodeJS.ProcessEnv,
): Promise<RegistryCredential | undefined> {
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr, spawnError } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
    spawnError?: NodeJS.ErrnoException;
  }>((resolvePromise) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    // Our own timer rather than spawn's `timeout`, which stays armed (holding the process) when the helper is missing.
    const timer = setTimeout(() => child.kill('SIGKILL'), CREDENTIAL_HELPER_TIMEOUT_MS);
    timer.unref();
    const finish = (result: {
      code: number | null;
      stdout: string;
      stderr: string;
      spawnError?: NodeJS.ErrnoException;
    }) => {
      clearTimeout(timer);
      resolvePromise(result);
    };
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      finish({ code: null, stdout: out, stderr: err, spawnError: error }),
    );
    child.on('close', (exitCode) => finish({ code: exitCode, stdout: out, stderr: err }));
    child.stdin.on('error', () => {});
    child.stdin.end(serverAddress);
  });
  if (spawnError) {
    const reason = spawnError.code === 'ENOENT' ? 'not found on PATH' : spawnError.message;
    throw new ChainloopError(
      'CREDENTIAL_HELPER_FAILED',
      `docker credential helper ${program} ${reason}: install it, or remove "${helper}" from ${dockerConfigPath(env)}`,
    );
  }
  if (code !== 0) {
    // The helper protocol's way of saying "nothing stored for this server"; not an error.
    if (/credentials not found/i.test(stdout) || /credentials not found/i.test(stderr)) return undefined;
    // stdout is not shown: a misbehaving helper could have printed a secret there.
    const detail = stderr.trim().split('\n')[0]?.slice(0, 200) || `exit code ${code}`;
    throw new ChainloopError(
      'CREDENTIAL_HELPER_FAILED',
      `docker credential helper ${program} failed for ${serverAddress} (${detail}): run "echo ${serverAddress} | ${program} get" to investigate`,
    );
  }
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch {
    throw new ChainloopError(
      'CREDENTIAL_HELPER_FAILED',
      `docker credential helper ${program} printed something that is not JSON for ${serverAddress}: check the helper's version`,
    );
  }
  if (!parsed.Secret) return undefined;
  // The helper protocol's marker for an identity (refresh) token rather than a password.
  if (parsed.Username === IDENTITY_TOKEN_USERNAME)
    return { username: parsed.Username, password: '', identityToken: parsed.Secret };
  return { username: parsed.Username ?? '', password: parsed.Secret };
}

function decodeAuthField(entry: AuthsEntry): RegistryCredential | undefined {
  if (entry.identitytoken) {
    return { username: entry.username || IDENTITY_TOKEN_USERNAME, password: '', identityToken: entry.identitytoken };
  }
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

/**
 * Finds the credential for `registry` in docker's keychain order: explicit --registry-* credentials (which then
 * replace the keychain for every registry), credHelpers[host], credsStore, auths[host]; else anonymous.
 */
export async function findRegistryCredential(registry: string, options: KeychainOptions = {}): Promise<KeychainResult> {
  const env = options.env ?? process.env;
  const host = normalizeRegistryHost(registry);
  const server = explicitServer(options);
  if (server !== undefined) {
    if (server === host) {
      return {
        credential: { username: options.registryUsername as string, password: options.registryPassword as string },
        source: `--registry-username/--registry-password for ${server}`,
      };
    }
    return { source: `anonymous (--registry-server is ${server}, not ${host})` };
  }

  const configPath = dockerConfigPath(env);
  const config = await readDockerConfig(configPath);
  if (!config) return { source: `anonymous (no ${configPath})` };
  const helperServer = host === DOCKER_HUB_REGISTRY ? DOCKER_HUB_SERVER_ADDRESS : host;

  const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => configKeyToHost(key) === host);
  if (helperKey !== undefined) {
    const helper = (config.credHelpers as Record<string, string>)[helperKey];
    const credential = await runCredentialHelper(
      helper,
      isDockerHub(host) ? DOCKER_HUB_SERVER_ADDRESS : helperKey,
      env,
    );
    if (credential)
      return {
        credential,
        source: `credential helper docker-credential-${helper} (credHelpers["${helperKey}"] in ${configPath})`,
      };
  }
  if (config.credsStore) {
    const credential = await runCredentialHelper(config.credsStore, helperServer, env);
    if (credential)
      return {
        credential,
        source: `credential store docker-credential-${config.credsStore} (credsStore in ${configPath})`,
      };
  }
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (configKeyToHost(key) !== host) continue;
    const credential = decodeAuthField(entry);
    if (credential) return { credential, source: `auths["${key}"] in ${configPath}` };
  }
  return { source: `anonymous (no entry for ${host} in ${configPath})` };
}
