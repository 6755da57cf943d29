import { ApiError } from '../http/api-error';
import type { Repository } from '../storage/repository';
import { hashToken, sameHash } from './tokens';

/** Who is calling: an admin (manages everything) or a robot account (crafting for exactly one workflow). */
export type Principal = { kind: 'admin' } | { kind: 'robot'; robotAccountId: string; workflowId: string };

/** Which principals a route accepts; set as `config.access` on every route. */
export type Access = 'public' | 'admin' | 'robot' | 'any';

const unauthenticated = (message: string) => new ApiError(401, 'UNAUTHENTICATED', message);

export async function resolvePrincipal(
  authorization: string | undefined,
  adminTokenHash: string,
  repository: Repository,
): Promise<Principal> {
  if (!authorization) {
    throw unauthenticated('no bearer token in the Authorization header: pass --token or set CHAINLOOP_TOKEN');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) {
    throw unauthenticated('the Authorization header is not "Bearer <token>": pass the token with --token');
  }
  const tokenHash = hashToken(match[1]);
  if (sameHash(tokenHash, adminTokenHash)) return { kind: 'admin' };
  const robot = await repository.findRobotAccountByTokenHash(tokenHash);
  if (!robot) {
    throw unauthenticated('the token is not valid for this control plane: check --token / CHAINLOOP_TOKEN');
  }
  if (robot.revokedAt) {
    throw unauthenticated(`robot account ${robot.id} was revoked: ask an admin for a new robot account token`);
  }
  return { kind: 'robot', robotAccountId: robot.id, workflowId: robot.workflowId };
}

export function checkAccess(principal: Principal, access: Exclude<Access, 'public'>): void {
  if (access === 'admin' && principal.kind !== 'admin') {
    throw new ApiError(
      403,
      'FORBIDDEN',
      'this endpoint needs an admin token; robot account tokens only craft attestations',
    );
  }
  if (access === 'robot' && principal.kind !== 'robot') {
    throw new ApiError(
      403,
      'FORBIDDEN',
      'this endpoint needs a robot account token (crafting is bound to one workflow): create one with chainloop workflow robot-account create',
    );
  }
}
