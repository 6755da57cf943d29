import { ControlPlaneError } from '../client/control-plane-error';
import { ChainloopError } from '../errors';
import type { PolicyResolver, StoredDocumentFetcher } from '../policies/index';
import type { CraftingContext } from './context';

/**
 * The resolver crafting evaluates policies with: built-in and `file://` refs always; refs to the control plane
 * (`name`, `name@revision`, `chainloop://name`) through its API with the command's token when there is one. Without a
 * control plane (an offline dry run) such refs are refused, saying so.
 */
export async function craftingPolicyResolver(context: CraftingContext): Promise<PolicyResolver> {
  const { createPolicyResolver } = await import('../policies/index');
  const { client } = context;
  if (client === undefined) return createPolicyResolver({ cwd: context.cwd });
  return createPolicyResolver({
    cwd: context.cwd,
    fetchStored: fetchedOnce(async (name, revision) => {
      const stored = await notStoredIsFinal(client.getPolicy(name, revision));
      return { text: stored.body, revision: stored.revision };
    }),
    fetchStoredGroup: fetchedOnce(async (name, revision) => {
      const stored = await notStoredIsFinal(client.getPolicyGroup(name, revision));
      return { text: stored.body, revision: stored.revision };
    }),
  });
}

/**
 * One command resolves a ref several times (expanding groups, then once per material): it asks the control plane
 * once, so the command sees one revision of "the latest" throughout. A failed fetch is not remembered.
 */
function fetchedOnce(fetch: StoredDocumentFetcher): StoredDocumentFetcher {
  const fetched = new Map<string, ReturnType<StoredDocumentFetcher>>();
  return (name, revision) => {
    const key = `${name}@${revision ?? 'latest'}`;
    let answer = fetched.get(key);
    if (answer === undefined) {
      answer = fetch(name, revision);
      fetched.set(key, answer);
      answer.catch(() => fetched.delete(key));
    }
    return answer;
  };
}

/**
 * A name or revision the control plane does not have is the contract's mistake, like a missing built-in: not an
 * error `--graceful-exit` may tolerate (an unreachable control plane still is).
 */
async function notStoredIsFinal<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof ControlPlaneError && error.status === 404) {
      throw new ChainloopError(error.code, error.message, { cause: error, graceful: false });
    }
    throw error;
  }
}
