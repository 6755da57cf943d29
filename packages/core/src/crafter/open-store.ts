import type { ControlPlaneClient } from '../client/index';
import { ChainloopError } from '../errors';
import { LocalStateStore } from './local-state-store';
import { RemoteStateStore } from './remote-state-store';
import type { StateStore } from './state-store';

/** `--attestation-id` (or CHAINLOOP_ATTESTATION_ID) selects the remote state; otherwise the local state file. */
export function openStateStore(options: {
  attestationId?: string;
  localStatePath?: string;
  client?: ControlPlaneClient;
}): StateStore {
  if (options.attestationId) {
    if (!options.client) {
      throw new ChainloopError(
        'TOKEN_MISSING',
        `attestation ${options.attestationId} lives in the control plane: pass a robot account token (--token or CHAINLOOP_ROBOT_ACCOUNT)`,
      );
    }
    return new RemoteStateStore(options.client, options.attestationId);
  }
  return new LocalStateStore(options.localStatePath);
}
