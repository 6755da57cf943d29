import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parsePolicyDocument, policyError } from '../contract/parse-policy';
import type { PolicyDocument, PolicyRef } from '../contract/policy-model';
import { ChainloopError } from '../errors';
import { BUILTIN_POLICY_NAMES, builtinPolicyText } from './builtin';
import type { PolicyEvaluationReference } from './evaluation';

export interface ResolvedPolicy {
  document: PolicyDocument;
  reference: PolicyEvaluationReference;
}

/** Turns a contract's `ref` into a policy document. */
export interface PolicyResolver {
  resolve(ref: PolicyRef, where: string): Promise<ResolvedPolicy>;
}

/** A stored policy as the control plane returns it: the document's text and its revision. */
export type StoredPolicyFetcher = (
  name: string,
  revision: number | undefined,
) => Promise<{ text: string; revision: number }>;

export interface PolicyResolverOptions {
  /** `file://` refs resolve against it. */
  cwd: string;
  /** Refs to the control plane (`name`, `chainloop://name`); without it they are refused with a message saying so. */
  fetchStored?: StoredPolicyFetcher;
}

/** Resolves built-in, file and (given a fetcher) stored policies, checking `@sha256:` pins against the bytes. */
export function createPolicyResolver(options: PolicyResolverOptions): PolicyResolver {
  return {
    async resolve(ref, where) {
      if (ref.scheme === 'builtin') {
        const text = builtinPolicyText(ref.name);
        if (text === undefined) {
          throw refError(where, ref, `no built-in policy "${ref.name}" (built-in: ${BUILTIN_POLICY_NAMES.join(', ')})`);
        }
        if (ref.revision !== undefined) {
          throw refError(
            where,
            ref,
            'built-in policies have no revisions: pin them with @sha256:<digest> or not at all',
          );
        }
        return resolved(ref, where, text, `builtin://${ref.name}`);
      }
      if (ref.scheme === 'file') {
        const path = resolve(options.cwd, ref.name);
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch (error) {
          throw refError(where, ref, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        return resolved(ref, where, text, `file://${path}`);
      }
      if (options.fetchStored === undefined) {
        throw refError(
          where,
          ref,
          'policies stored in the control plane are not available here: use builtin:// or file://',
        );
      }
      const stored = await options.fetchStored(ref.name, ref.revision);
      return resolved(ref, where, stored.text, `chainloop://${ref.name}@${stored.revision}`);
    },
  };
}

function resolved(ref: PolicyRef, where: string, text: string, uri: string): ResolvedPolicy {
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (ref.digest !== undefined && ref.digest !== `sha256:${sha256}`) {
    throw refError(where, ref, `its content has digest sha256:${sha256}, not the pinned ${ref.digest}: update the pin`);
  }
  const document = parsePolicyDocument(text, (path, reason) =>
    policyError(`${uri}${path === '' ? '' : ` ${path}`}`, reason),
  );
  if (ref.scheme !== 'file' && document.name !== ref.name) {
    throw refError(where, ref, `the document is named "${document.name}", not "${ref.name}"`);
  }
  return { document, reference: { name: document.name, uri, digest: { sha256 } } };
}

function refError(where: string, ref: PolicyRef, reason: string): ChainloopError {
  return new ChainloopError('POLICY_NOT_FOUND', `policy ${ref.ref} (${where}): ${reason}`, { graceful: false });
}
