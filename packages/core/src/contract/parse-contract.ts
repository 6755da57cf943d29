import { lookupMaterialKind, lookupRunnerType } from './enum-names';
import { contractError, FieldReader, isMapping, mappingAt, stringAt } from './field-reader';
import { type Annotation, type Contract, type ContractMaterial, DNS_1123_LABEL, type RunnerTypeName } from './model';
import { parseContractPolicies, parsePolicyGroupAttachments } from './parse-policy-attachments';
import { parseYamlOrJson } from './parse-yaml';

const ANNOTATION_NAME = /^\w+$/;
const V2_API_VERSION = 'chainloop.dev/v1';
const V2_KIND = 'Contract';

/**
 * Parses a workflow contract, YAML or JSON, in either on-disk form into the one model, policy attachments included.
 * Unknown fields are ignored like the original does; anything malformed throws ChainloopError `CONTRACT_INVALID`
 * with the path and the reason.
 */
export function parseContract(text: string): Contract {
  const root = parseYamlOrJson(text);
  if (!isMapping(root)) {
    throw contractError(
      '',
      `expected a mapping at the top level, got ${root === null ? 'an empty document' : 'a list or a scalar'}`,
    );
  }
  const top = new FieldReader('', root);
  if (top.raw('apiVersion', 'api_version') !== undefined || top.raw('kind') !== undefined) {
    return parseV2(top);
  }
  if (top.raw('schemaVersion', 'schema_version') !== undefined) {
    return parseV1(top);
  }
  const keys = Object.keys(root).slice(0, 5).join(', ');
  throw contractError(
    '',
    `neither form of contract: expected "schemaVersion: v1" or "apiVersion: ${V2_API_VERSION}" with "kind: ${V2_KIND}"` +
      (keys === '' ? '' : ` (found keys: ${keys})`),
  );
}

function parseV1(top: FieldReader): Contract {
  const version = top.string('schemaVersion', 'schema_version');
  if (version !== 'v1') {
    throw contractError('schemaVersion', `${JSON.stringify(version)} is not supported (expected v1)`);
  }
  return { form: 'v1', ...parseBody(top) };
}

function parseV2(top: FieldReader): Contract {
  const apiVersion = top.string('apiVersion', 'api_version');
  if (apiVersion !== V2_API_VERSION) {
    throw contractError(
      'apiVersion',
      `${JSON.stringify(apiVersion ?? '')} is not supported (expected ${V2_API_VERSION})`,
    );
  }
  const kind = top.string('kind');
  if (kind !== V2_KIND)
    throw contractError('kind', `${JSON.stringify(kind ?? '')} is not supported (expected ${V2_KIND})`);
  const metadata = top.mappingField('metadata');
  if (metadata === undefined) throw contractError('metadata', 'required (with at least a name)');
  const name = metadata.string('name') ?? '';
  if (!DNS_1123_LABEL.test(name))
    throw contractError('metadata.name', `${JSON.stringify(name)} is not a DNS-1123 label`);
  const spec = top.mappingField('spec');
  if (spec === undefined) throw contractError('spec', 'required');
  const contract: Contract = { form: 'v2', name, ...parseBody(spec) };
  const description = metadata.string('description');
  if (description !== undefined) contract.description = description;
  const metadataAnnotations = metadata.stringMap('annotations');
  if (metadataAnnotations !== undefined) contract.metadataAnnotations = metadataAnnotations;
  return contract;
}

/** The fields shared by the v1 top level and the v2 `spec`. */
function parseBody(body: FieldReader): Omit<Contract, 'form'> {
  const materials = body.list('materials').map(({ path, value }) => parseMaterial(path, value));
  rejectDuplicateNames(body.child('materials'), materials);
  const envAllowList = body.list('envAllowList', 'env_allow_list').map(({ path, value }) => {
    const variable = stringAt(path, value);
    if (variable === '') throw contractError(path, 'empty environment variable name');
    return variable;
  });
  const contract: Omit<Contract, 'form'> = {
    materials,
    envAllowList,
    annotations: parseAnnotations(body),
  };
  const runnerType = parseRunnerType(body);
  if (runnerType !== undefined) contract.runnerType = runnerType;
  const policyGroups = parsePolicyGroupAttachments(body);
  const policies = parseContractPolicies(body, materials, policyGroups.length > 0);
  if (policies !== undefined) contract.policies = policies;
  if (policyGroups.length > 0) contract.policyGroups = policyGroups;
  return contract;
}

function parseMaterial(path: string, value: unknown): ContractMaterial {
  const material = mappingAt(path, value);
  const kind = lookupMaterialKind(material.raw('type')?.value);
  if (!kind.ok) throw contractError(`${path}.type`, kind.reason);
  const name = material.string('name') ?? '';
  if (!DNS_1123_LABEL.test(name)) {
    throw contractError(
      `${path}.name`,
      `${JSON.stringify(name)} is not a DNS-1123 label (lower-case letters, digits and -)`,
    );
  }
  return {
    name,
    type: kind.value,
    optional: material.boolean('optional'),
    output: material.boolean('output'),
    skipUpload: material.boolean('skipUpload', 'skip_upload'),
    annotations: parseAnnotations(material),
  };
}

function parseAnnotations(owner: FieldReader): Annotation[] {
  return owner.list('annotations').map(({ path, value }) => {
    const annotation = mappingAt(path, value);
    const name = annotation.string('name') ?? '';
    if (!ANNOTATION_NAME.test(name)) {
      throw contractError(
        `${path}.name`,
        `${JSON.stringify(name)} is not a valid annotation name (letters, digits and _)`,
      );
    }
    return { name, value: annotation.string('value') ?? '' };
  });
}

function parseRunnerType(body: FieldReader): RunnerTypeName | undefined {
  const runner = body.mappingField('runner');
  if (runner === undefined) return undefined;
  const type = runner.raw('type')?.value;
  if (type === undefined) throw contractError(runner.child('type'), 'required when runner is given');
  const lookup = lookupRunnerType(type);
  if (!lookup.ok) throw contractError(runner.child('type'), lookup.reason);
  // UNSPECIFIED pins nothing: any CI (or none) may run the workflow.
  return lookup.value === 'RUNNER_TYPE_UNSPECIFIED' ? undefined : lookup.value;
}

function rejectDuplicateNames(path: string, materials: ContractMaterial[]): void {
  const firstIndex = new Map<string, number>();
  materials.forEach((material, index) => {
    const earlier = firstIndex.get(material.name);
    if (earlier !== undefined) {
      throw contractError(
        `${path}[${index}].name`,
        `duplicate material name "${material.name}" (also ${path}[${earlier}])`,
      );
    }
    firstIndex.set(material.name, index);
  });
}
