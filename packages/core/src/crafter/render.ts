import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  ATTESTATION_EVALUATIONS_KEY,
  type PolicyEvaluation,
  type PolicyEvaluationReference,
  summarizePolicies,
} from '../policies/evaluation';
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
export interface RenderOptions {
  finishedAt: Date;
  annotations: Record<string, string>;
  /** Attestation-level policy evaluations (push phase), filed under `CHAINLOOP.ATTESTATION`. */
  attestationEvaluations?: PolicyEvaluation[];
  /** `push --exception-bypass-policy-check`: recorded as `policyBlockBypassEnabled`. */
  bypassPolicyCheck?: boolean;
  /** The organisation blocks on any violation (`ENFORCED`); renderStatement takes it from the state. */
  blockOnPolicyViolation?: boolean;
}

export function renderStatement(state: CraftingState, options: RenderOptions): ChainloopStatement {
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
  Object.assign(
    predicate,
    renderPolicyFields(materials, {
      ...options,
      attestationEvaluations: options.attestationEvaluations ?? state.attestationPolicyEvaluations,
      blockOnPolicyViolation: state.blockOnPolicyViolation === true,
    }),
  );

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

/** Every policy evaluation of the attestation: each material's (by material name), then the attestation's own. */
export function allPolicyEvaluations(
  materials: CraftedMaterial[],
  attestationEvaluations: PolicyEvaluation[] = [],
): PolicyEvaluation[] {
  return [...materials.flatMap((material) => material.policyEvaluations ?? []), ...attestationEvaluations];
}

/**
 * The predicate's policy fields as Chainloop's renderer writes them (`ProvenancePredicateV02`): `policyEvaluations`
 * keyed by material name (`CHAINLOOP.ATTESTATION` for the attestation's own; omitted when empty), the four flags
 * always, and the counters of its later versions.
 */
export function renderPolicyFields(materials: CraftedMaterial[], options: RenderOptions): Record<string, unknown> {
  const evaluations = allPolicyEvaluations(materials, options.attestationEvaluations);
  const summary = summarizePolicies(evaluations, {
    blockOnViolation: options.blockOnPolicyViolation === true,
    bypass: options.bypassPolicyCheck === true,
  });
  const fields: Record<string, unknown> = {};
  if (evaluations.length > 0) {
    const byKey: Record<string, unknown[]> = {};
    for (const evaluation of evaluations) {
      const key = evaluation.materialName === '' ? ATTESTATION_EVALUATIONS_KEY : evaluation.materialName;
      byKey[key] ??= [];
      byKey[key].push(renderEvaluation(evaluation));
    }
    fields.policyEvaluations = byKey;
  }
  const violated = evaluations.filter((evaluation) => evaluation.violations.length > 0);
  Object.assign(fields, {
    policyHasViolations: summary.policyHasViolations,
    policyCheckBlockingStrategy: summary.policyCheckBlockingStrategy,
    policyBlockBypassEnabled: summary.policyBlockBypassEnabled,
    policyAttBlocked: summary.policyAttBlocked,
    policyEvaluationsCount: evaluations.length,
    policyViolationsCount: violated.reduce((count, evaluation) => count + evaluation.violations.length, 0),
    policySkippedCount: evaluations.filter((evaluation) => evaluation.skipped).length,
    policyPassedCount: evaluations.filter((evaluation) => !evaluation.skipped && evaluation.violations.length === 0)
      .length,
    // Violations cannot be suppressed here (no findings with VEX suppressions yet).
    policySuppressedCount: 0,
    policyHasGatedViolations: summary.policyHasGatedViolations,
    policyHasGates: evaluations.some((evaluation) => evaluation.gate),
  });
  return fields;
}

/** One evaluation as Chainloop's `PolicyEvaluation` JSON: empty optional fields omitted, `type`, `skipped`, `gate` always. */
function renderEvaluation(evaluation: PolicyEvaluation): Record<string, unknown> {
  const rendered: Record<string, unknown> = { name: evaluation.name };
  if (evaluation.materialName !== '') rendered.materialName = evaluation.materialName;
  if (evaluation.policyReference) rendered.policyReference = renderReference(evaluation.policyReference);
  if (evaluation.description) rendered.description = evaluation.description;
  if (evaluation.annotations && Object.keys(evaluation.annotations).length > 0) {
    rendered.annotations = sortKeys(evaluation.annotations);
  }
  if (evaluation.violations.length > 0) {
    rendered.violations = evaluation.violations.map(({ subject, message }) => ({ subject, message }));
  }
  if (Object.keys(evaluation.with).length > 0) rendered.with = sortKeys(evaluation.with);
  rendered.type = evaluation.type;
  rendered.skipped = evaluation.skipped;
  if (evaluation.skipReasons.length > 0) rendered.skipReasons = evaluation.skipReasons;
  if (evaluation.groupReference) rendered.groupReference = renderReference(evaluation.groupReference);
  if (evaluation.requirements.length > 0) rendered.requirements = evaluation.requirements;
  rendered.gate = evaluation.gate;
  return rendered;
}

/** A reference as the in-toto descriptor Chainloop renders: name, uri, digest, and `{name, organization}` annotations. */
function renderReference(reference: PolicyEvaluationReference): Record<string, unknown> {
  return {
    name: reference.name,
    uri: reference.uri,
    digest: { sha256: reference.digest.sha256.replace(/^sha256:/, '') },
    annotations: { name: reference.name, organization: '' },
  };
}
