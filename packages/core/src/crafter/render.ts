import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { CHAINLOOP_TS_VERSION } from '../version';
import type { CraftedMaterial, CraftingState } from './state';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'chainloop.dev/attestation/v0.2';
export const BUILD_TYPE = 'chainloop.dev/workflowrun/v0.1';

export interface ResourceDescriptor {
  name?: string;
  digest: Record<string, string>;
  content?: string;
  annotations?: Record<string, unknown>;
}

export interface ChainloopStatement {
  _type: typeof STATEMENT_TYPE;
  subject: ResourceDescriptor[];
  predicateType: typeof PREDICATE_TYPE;
  predicate: Record<string, unknown>;
}

function hexOf(digest: string): string {
  return digest.replace(/^sha256:/, '');
}

/** A material as an in-toto resource descriptor with the `chainloop.material.*` annotations (reference §5.3). */
export function materialDescriptor(material: CraftedMaterial): ResourceDescriptor {
  const annotations: Record<string, unknown> = { ...material.annotations };
  annotations['chainloop.material.name'] = material.name;
  annotations['chainloop.material.type'] = material.kind;
  const descriptor: ResourceDescriptor = { digest: { sha256: hexOf(material.digest) } };
  if (material.kind === 'STRING') {
    descriptor.content = Buffer.from(material.value ?? '', 'utf8').toString('base64');
  } else if (material.image) {
    descriptor.name = material.image.name;
    if (material.image.tag) annotations['chainloop.material.image.tag'] = material.image.tag;
    // Always written, a JSON boolean (false when not known: OCI layouts, the local engine), as Chainloop does.
    annotations['chainloop.material.image.is_latest_tag'] = material.image.hasLatestTag === true;
  } else {
    descriptor.name = material.fileName;
    if (material.uploadedToCas) annotations['chainloop.material.cas'] = true;
  }
  descriptor.annotations = sortKeys(annotations);
  return descriptor;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function byName(a: CraftedMaterial, b: CraftedMaterial): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Renders the in-toto Statement v1 with the `chainloop.dev/attestation/v0.2` predicate. Subjects: the workflow
 * (sha256 of the RFC 8785 canonical JSON of the predicate), the git HEAD when there is one, then every output material.
 */
export function renderStatement(
  state: CraftingState,
  options: { finishedAt: Date; annotations: Record<string, string> },
): ChainloopStatement {
  const materials = Object.values(state.materials).sort(byName);
  const env = { ...state.runner.variables, ...state.envVars };
  const predicate: Record<string, unknown> = {
    metadata: {
      name: state.workflow.name,
      project: state.workflow.project,
      // Always present, "" without a version, as Chainloop's Go struct writes it.
      projectVersion: state.workflow.projectVersion ?? '',
      team: state.workflow.team,
      initializedAt: state.initializedAt,
      finishedAt: options.finishedAt.toISOString(),
      workflowRunID: state.workflow.runId ?? '',
      workflowID: state.workflow.id,
      workflowName: state.workflow.name,
      contractName: state.workflow.contractName ?? '',
      contractVersion: String(state.workflow.contractRevision),
    },
    builder: { id: `chainloop-ts/cli/${CHAINLOOP_TS_VERSION}` },
    buildType: BUILD_TYPE,
    materials: materials.map(materialDescriptor),
    runnerType: state.runner.type,
  };
  if (Object.keys(env).length > 0) predicate.env = sortKeys(env);
  if (state.runner.url) predicate.runnerURL = state.runner.url;
  if (state.runner.environment && state.runner.environment !== 'unknown') {
    predicate.runnerEnvironment = state.runner.environment;
  }
  if (Object.keys(options.annotations).length > 0) predicate.annotations = sortKeys(options.annotations);
  if (state.dryRun) predicate.dryRun = true;

  const subject: ResourceDescriptor[] = [
    {
      name: `chainloop.workflow.${state.workflow.name}`,
      digest: {
        sha256: createHash('sha256')
          .update(canonicalize(predicate) ?? '', 'utf8')
          .digest('hex'),
      },
    },
  ];
  if (state.head) {
    const head = state.head;
    const annotations: Record<string, unknown> = {
      'author.email': head.authorEmail,
      'author.name': head.authorName,
      date: head.date,
      message: head.message,
    };
    if (head.remotes.length > 0) annotations.remotes = head.remotes;
    if (head.signature) annotations.signature = head.signature;
    subject.push({
      name: 'git.head',
      digest: { [head.hash.length === 40 ? 'sha1' : 'sha256']: head.hash },
      annotations,
    });
  }
  for (const material of materials.filter((m) => m.output)) {
    const descriptor = materialDescriptor(material);
    subject.push({
      name: descriptor.name ?? material.name,
      digest: descriptor.digest,
      annotations: descriptor.annotations,
    });
  }
  return { _type: STATEMENT_TYPE, subject, predicateType: PREDICATE_TYPE, predicate };
}
