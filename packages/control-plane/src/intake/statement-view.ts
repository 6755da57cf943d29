import { describePolicies, type PoliciesView } from './policy-view';
import { isObject } from './statement-payload';

/** A material of a stored statement, as the web UI's run detail shows it (the CAS facts are added by the route). */
export interface MaterialView {
  name: string;
  kind: string;
  /** STRING materials: the decoded content. */
  value?: string;
  /** File materials: the file's base name. */
  fileName?: string;
  /** Container images: the repository. */
  imageName?: string;
  /** `sha256:<hex>` (another algorithm's `alg:value` when the descriptor has no sha256; empty when it has none). */
  digest: string;
  /** The user's annotations: the `chainloop.material.*` ones left out, other values than strings as JSON. */
  annotations: Record<string, string>;
  /** Marked as uploaded to the CAS (`chainloop.material.cas`). */
  cas: boolean;
}

/** What a stored statement says, read once (on the inspection worker): the text and the parts the UI lists. */
export interface StatementView {
  /** The DSSE payload bytes decoded as UTF-8, exactly as signed (never re-serialised). */
  statement: string;
  materials: MaterialView[];
  env: Record<string, string>;
  annotations: Record<string, string>;
  runnerUrl?: string;
  /** The policy evaluations crafting recorded in the predicate, read as text (nothing about them is checked). */
  policies: PoliciesView;
}

const MATERIAL_ANNOTATION = /^chainloop\.material\./;

/** Reads the statement of a DSSE payload; a payload that is not a statement gives its text and nothing else. */
export function describeStatement(payload: Buffer): StatementView {
  const statement = payload.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(statement);
  } catch {
    return { statement, materials: [], env: {}, annotations: {}, policies: describePolicies(undefined) };
  }
  const predicate = isObject(parsed) && isObject(parsed.predicate) ? parsed.predicate : {};
  const materials = Array.isArray(predicate.materials) ? predicate.materials : [];
  return {
    statement,
    materials: materials.map(describeMaterial),
    env: asTextRecord(predicate.env),
    annotations: asTextRecord(predicate.annotations),
    policies: describePolicies(predicate),
    ...(typeof predicate.runnerURL === 'string' && predicate.runnerURL !== '' && { runnerUrl: predicate.runnerURL }),
  };
}

function describeMaterial(material: unknown, index: number): MaterialView {
  const descriptor = isObject(material) ? material : {};
  const annotations = isObject(descriptor.annotations) ? descriptor.annotations : {};
  const declaredName = annotations['chainloop.material.name'];
  const declaredKind = annotations['chainloop.material.type'];
  const kind = typeof declaredKind === 'string' && declaredKind !== '' ? declaredKind : 'UNKNOWN';
  const descriptorName = typeof descriptor.name === 'string' && descriptor.name !== '' ? descriptor.name : undefined;
  const view: MaterialView = {
    name:
      typeof declaredName === 'string' && declaredName !== ''
        ? declaredName
        : (descriptorName ?? `materials[${index}]`),
    kind,
    digest: digestOf(descriptor.digest),
    annotations: asTextRecord(
      Object.fromEntries(Object.entries(annotations).filter(([key]) => !MATERIAL_ANNOTATION.test(key))),
    ),
    cas: annotations['chainloop.material.cas'] === true || annotations['chainloop.material.cas'] === 'true',
  };
  if (kind === 'STRING' && typeof descriptor.content === 'string') {
    view.value = Buffer.from(descriptor.content, 'base64').toString('utf8');
  } else if (kind === 'CONTAINER_IMAGE') {
    if (descriptorName) view.imageName = descriptorName;
  } else if (descriptorName) {
    view.fileName = descriptorName;
  }
  return view;
}

function digestOf(digest: unknown): string {
  if (!isObject(digest)) return '';
  if (typeof digest.sha256 === 'string') return `sha256:${digest.sha256}`;
  const [first] = Object.entries(digest).filter(([, value]) => typeof value === 'string');
  return first ? `${first[0]}:${first[1]}` : '';
}

/** A JSON object as string values: strings as they are, anything else JSON-encoded. */
function asTextRecord(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, typeof item === 'string' ? item : JSON.stringify(item)]),
  );
}
