import { lookupMaterialKind } from './enum-names';
import { type FieldError, type FieldReader, mappingAt } from './field-reader';
import { DNS_1123_LABEL } from './model';
import { parseDocumentHeader, parseInputs, policyError } from './parse-policy';
import { parsePolicyAttachment } from './parse-policy-attachments';
import { parseYamlOrJson } from './parse-yaml';
import type { PolicyGroupDocument, PolicyGroupMaterial } from './policy-model';

/** `{{ inputs.name }}` placeholders, allowed in a group material's name before the group's inputs fill them. */
const PLACEHOLDER = /\{\{\s*inputs\.[A-Za-z_][A-Za-z0-9_]*\s*\}\}/g;

/** Parses a `kind: PolicyGroup` document, YAML or JSON (Chainloop's `PolicyGroup`). */
export function parsePolicyGroupDocument(text: string, fail: FieldError = policyError): PolicyGroupDocument {
  const root = mappingAt('', parseYamlOrJson(text, fail), fail);
  const { spec, ...metadata } = parseDocumentHeader(root, 'PolicyGroup');
  const policies = spec.mappingField('policies');
  if (policies === undefined) throw fail(spec.child('policies'), 'required (materials and/or attestation)');
  const materials = policies
    .list('materials')
    .map(({ path, value }) => parseGroupMaterial(mappingAt(path, value, fail)));
  const attestation = policies
    .list('attestation')
    .map(({ path, value }) => parsePolicyAttachment(mappingAt(path, value, fail)));
  if (materials.length === 0 && attestation.length === 0) {
    throw fail(spec.child('policies'), 'the group has no policies: list materials or attestation policies');
  }
  return { ...metadata, inputs: parseInputs(spec), materials, attestation };
}

function parseGroupMaterial(material: FieldReader): PolicyGroupMaterial {
  const name = material.string('name') ?? '';
  if (name !== '' && !DNS_1123_LABEL.test(name.replace(PLACEHOLDER, 'x'))) {
    throw material.fail(
      material.child('name'),
      `${JSON.stringify(name)} is not a material name (a DNS-1123 label, {{ inputs.<name> }} allowed)`,
    );
  }
  const parsed: PolicyGroupMaterial = {
    name,
    optional: material.boolean('optional'),
    policies: material
      .list('policies')
      .map(({ path, value }) => parsePolicyAttachment(mappingAt(path, value, material.fail))),
  };
  const type = material.raw('type');
  if (type !== undefined) {
    const kind = lookupMaterialKind(type.value);
    if (!kind.ok) throw material.fail(material.child('type'), kind.reason);
    parsed.type = kind.value;
  }
  if (name === '' && parsed.type === undefined) {
    throw material.fail(material.path, 'a group material needs a name or a type to say what its policies apply to');
  }
  return parsed;
}
