import { createHash } from 'node:crypto';
import { ChainloopError } from '@chainloop-ts/core';
import type { AdminTokenSource } from './auth/admin-token';
import type { LogSink } from './log-sink';
import type { SigningCa } from './signing/signing-ca';
import type { Repository } from './storage/repository';

const ADMIN_TOKEN = 'admin-token-sha256';
const SIGNING_CA = 'signing-ca-sha256';

/**
 * Control planes sharing one database (replicas behind a load balancer) must accept the same admin token and sign
 * with the same keyless CA, or an admin command works on one replica in N and a keyless certificate from one replica
 * is refused at push by another. Each replica records what it uses (a hash, never the token; the CA certificate's
 * fingerprint, never its key). What was given explicitly (CHAINLOOP_CP_ADMIN_TOKEN, --ca-cert) replaces the record,
 * with a warning when it changes, which is how an operator rotates them; what a replica generated or found in its own
 * data dir must match the record, else the start stops and says which setting to give every replica.
 */
export async function agreeWithOtherControlPlanes(
  repository: Repository,
  used: { adminToken: AdminTokenSource; signingCa: SigningCa },
  log: LogSink | undefined,
): Promise<void> {
  const now = new Date().toISOString();
  const { adminToken, signingCa } = used;
  const tokenGiven = adminToken.origin === 'environment';
  const recordedToken = await repository.recordDeploymentSetting(
    ADMIN_TOKEN,
    adminToken.tokenHash,
    tokenGiven ? 'replace' : 'claim',
    now,
  );
  if (recordedToken !== undefined && recordedToken !== adminToken.tokenHash) {
    if (!tokenGiven) {
      throw new ChainloopError(
        'ADMIN_TOKEN_DISAGREES',
        `admin token ${adminToken.path} is not the one the other control planes on this database accept: set CHAINLOOP_CP_ADMIN_TOKEN to one token on every replica (a token given there replaces the recorded one)`,
      );
    }
    log?.write(
      'WRN',
      'CHAINLOOP_CP_ADMIN_TOKEN differs from the token the control planes on this database used so far: it is the admin token from now on; give it to every replica',
    );
  }

  const fingerprint = createHash('sha256').update(signingCa.certificate.raw).digest('hex');
  const caGiven = signingCa.origin.kind === 'files';
  const recordedCa = await repository.recordDeploymentSetting(
    SIGNING_CA,
    fingerprint,
    caGiven ? 'replace' : 'claim',
    now,
  );
  if (recordedCa !== undefined && recordedCa !== fingerprint) {
    if (!caGiven) {
      throw new ChainloopError(
        'SIGNING_CA_DISAGREES',
        `keyless signing CA ${signingCa.origin.certPath} (sha256 ${fingerprint.slice(0, 16)}…) is not the CA the other control planes on this database sign with (sha256 ${recordedCa.slice(0, 16)}…): give every replica the same --ca-cert and --ca-key`,
      );
    }
    log?.write(
      'WRN',
      `keyless signing CA ${signingCa.origin.certPath} (sha256 ${fingerprint.slice(0, 16)}…) replaces the CA the control planes on this database signed with (sha256 ${recordedCa.slice(0, 16)}…): give it to every replica`,
    );
  }
}
