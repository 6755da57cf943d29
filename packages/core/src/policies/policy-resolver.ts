import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parsePolicyDocument, policyError } from '../contract/parse-policy';
import { parsePolicyGroupDocument } from '../contract/parse-policy-group';
import type { PolicyDocument, PolicyGroupDocument, PolicyRef } from '../contract/policy-model';
import { ChainloopError } from '../errors';
import { BUILTIN_POLICY_NAMES, builtinPolicyText } from './builtin';
import type { PolicyEvaluationReference } from './evaluation';

export interface ResolvedPolicy {
  document: PolicyDocument;
  reference: PolicyEvaluationReference;
}

export interface ResolvedPolicyGroup {
  group: PolicyGroupDocument;
  reference: PolicyEvaluationReference;
}

/** Turns a contract's `ref` into a policy (or policy group) document. */
export interface PolicyResolver {
  resolve(ref: PolicyRef, where: string): Promise<ResolvedPolicy>;
  resolveGroup(ref: PolicyRef, where: string): Promise<ResolvedPolicyGroup>;
}

/**
 * A stored document as the control plane returns it: its text and its revision. A ChainloopError it throws (the name
 * or revision is not stored, the control plane is unreachable) keeps its code, its message prefixed with the ref.
 */
export type StoredDocumentFetcher = (
  name: string,
  revision: number | undefined,
) => Promise<{ text: string; revision: number }>;

export interface PolicyResolverOptions {
  /** `file://` refs resolve against it. */
  cwd: string;
  /** Policies in the control plane (`name`, `chainloop://name`); without it such refs are refused, saying so. */
  fetchStored?: StoredDocumentFetcher;
  /** Policy groups in the control plane. */
  fetchStoredGroup?: StoredDocumentFetcher;
}

type DocumentKind = 'policy' | 'policy group';

/** Resolves built-in, file and (given fetchers) stored documents, checking `@sha256:` pins against the bytes. */
export function createPolicyResolver(options: PolicyResolverOptions): PolicyResolver {
  return {
    async resolve(ref, where) {
      const { text, uri, sha256 } = await fetchText('policy', ref, where, options);
      const document = parsePolicyDocument(text, failIn(uri));
      checkName(ref, where, document.name);
      return { document, reference: { name: document.name, uri, digest: { sha256 } } };
    },
    async resolveGroup(ref, where) {
      const { text, uri, sha256 } = await fetchText('policy group', ref, where, options);
      const group = parsePolicyGroupDocument(text, failIn(uri));
      checkName(ref, where, group.name);
      return { group, reference: { name: group.name, uri, digest: { sha256 } } };
    },
  };
}

async function fetchText(
  kind: DocumentKind,
  ref: PolicyRef,
  where: string,
  options: PolicyResolverOptions,
): Promise<{ text: string; uri: string; sha256: string }> {
  let text: string;
  let uri: string;
  if (ref.scheme === 'builtin') {
    const builtin = kind === 'policy' ? builtinPolicyText(ref.name) : undefined;
    if (builtin === undefined) {
      const known = kind === 'policy' ? BUILTIN_POLICY_NAMES.join(', ') : 'none';
      throw refError(kind, where, ref, `no built-in ${kind} "${ref.name}" (built-in: ${known})`);
    }
    if (ref.revision !== undefined) {
      throw refError(
        kind,
        where,
        ref,
        'built-in policies have no revisions: pin them with @sha256:<digest> or not at all',
      );
    }
    text = builtin;
    uri = `builtin://${ref.name}`;
  } else if (ref.scheme === 'file') {
    const path = resolve(options.cwd, ref.name);
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw refError(kind, where, ref, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    uri = `file://${path}`;
  } else {
    const fetch = kind === 'policy' ? options.fetchStored : options.fetchStoredGroup;
    if (fetch === undefined) {
      throw refError(
        kind,
        where,
        ref,
        `${kind === 'policy' ? 'policies' : 'policy groups'} stored in the control plane are not available here: use builtin:// or file://`,
      );
    }
    let stored: Awaited<ReturnType<StoredDocumentFetcher>>;
    try {
      stored = await fetch(ref.name, ref.revision);
    } catch (error) {
      throw fetchFailed(kind, where, ref, error);
    }
    text = stored.text;
    uri = `chainloop://${ref.name}@${stored.revision}`;
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (ref.digest !== undefined && ref.digest !== `sha256:${sha256}`) {
    throw refError(
      kind,
      where,
      ref,
      `its content has digest sha256:${sha256}, not the pinned ${ref.digest}: update the pin`,
    );
  }
  return { text, uri, sha256 };
}

/** Errors inside a fetched document name it by its URI. */
function failIn(uri: string) {
  return (path: string, reason: string) => policyError(`${uri}${path === '' ? '' : ` ${path}`}`, reason);
}

function checkName(ref: PolicyRef, where: string, name: string): void {
  if (ref.scheme !== 'file' && name !== ref.name) {
    throw refError('policy', where, ref, `the document is named "${name}", not "${ref.name}"`);
  }
}

/** A failed fetch (not stored, control plane unreachable…) keeps its code and says which ref of the contract asked. */
function fetchFailed(kind: DocumentKind, where: string, ref: PolicyRef, error: unknown): unknown {
  if (!(error instanceof ChainloopError)) return error;
  return new ChainloopError(error.code, `${kind} ${ref.ref} (${where}): ${error.message}`, {
    cause: error,
    exitCode: error.exitCode,
    graceful: error.graceful,
  });
}

function refError(kind: DocumentKind, where: string, ref: PolicyRef, reason: string): ChainloopError {
  return new ChainloopError('POLICY_NOT_FOUND', `${kind} ${ref.ref} (${where}): ${reason}`, { graceful: false });
}
