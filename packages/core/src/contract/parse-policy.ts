import { ChainloopError } from '../errors';
import { lookupMaterialKind } from './enum-names';
import { type FieldError, type FieldReader, mappingAt, stringAt } from './field-reader';
import { DNS_1123_LABEL } from './model';
import { parseYamlOrJson } from './parse-yaml';
import {
  type AttestationPhase,
  type CelRule,
  type CelScriptSource,
  type CelSkip,
  POLICY_API_VERSIONS,
  type PolicyDocument,
  type PolicyInputSpec,
  type PolicyScript,
  type PolicyScriptSource,
} from './policy-model';

/** A policy document read on its own (built-in, stored in the control plane, a file): `invalid policy: <path>: …`. */
export function policyError(path: string, reason: string): ChainloopError {
  const where = path === '' ? '' : `${path}: `;
  return new ChainloopError('POLICY_INVALID', `invalid policy: ${where}${reason}`, { exitCode: 2, graceful: false });
}

/** Parses a `kind: Policy` document, YAML or JSON. */
export function parsePolicyDocument(text: string, fail: FieldError = policyError): PolicyDocument {
  const root = parseYamlOrJson(text, fail);
  return parsePolicyMapping(mappingAt('', root, fail));
}

/**
 * Script source parsers by engine key. An OPA WebAssembly engine adds `wasm: {...}` here (and its engine in
 * policies/); documents written for CEL stay valid.
 */
const SCRIPT_SOURCES: Record<string, (source: FieldReader) => PolicyScriptSource> = {
  cel: parseCelSource,
};

/** Chainloop's Rego sources: recognised so the message can say why they cannot run here. */
const REGO_KEYS = ['embedded', 'path', 'ref'];
const NO_REGO =
  'Rego policies need OPA, which Chainloop TS does not ship: write the rules in CEL under "cel:" (see packages/core/src/policies/README.md)';

/** The `apiVersion`, `kind`, `metadata` and `spec` every policy and policy group document has. */
export interface PolicyDocumentHeader {
  name: string;
  description?: string;
  annotations?: Record<string, string>;
  spec: FieldReader;
}

export function parseDocumentHeader(
  document: FieldReader,
  expectedKind: 'Policy' | 'PolicyGroup',
): PolicyDocumentHeader {
  const fail = document.fail;
  const apiVersion = document.string('apiVersion', 'api_version');
  if (apiVersion === undefined || !(POLICY_API_VERSIONS as readonly string[]).includes(apiVersion)) {
    throw fail(
      document.child('apiVersion'),
      `${JSON.stringify(apiVersion ?? '')} is not supported (expected ${POLICY_API_VERSIONS.join(' or ')})`,
    );
  }
  const kind = document.string('kind');
  if (kind !== expectedKind) {
    throw fail(document.child('kind'), `${JSON.stringify(kind ?? '')} is not supported (expected ${expectedKind})`);
  }
  const metadata = document.mappingField('metadata');
  if (metadata === undefined) throw fail(document.child('metadata'), 'required (with at least a name)');
  const name = metadata.string('name') ?? '';
  if (!DNS_1123_LABEL.test(name)) {
    throw fail(
      metadata.child('name'),
      `${JSON.stringify(name)} is not a DNS-1123 label (lower-case letters, digits and -)`,
    );
  }
  const spec = document.mappingField('spec');
  if (spec === undefined) throw fail(document.child('spec'), 'required (with policies)');
  const header: PolicyDocumentHeader = { name, spec };
  const description = metadata.string('description');
  if (description !== undefined) header.description = description;
  const annotations = metadata.stringMap('annotations');
  if (annotations !== undefined) header.annotations = annotations;
  return header;
}

/** A policy given as a mapping (embedded in a contract, or the root of a document); paths are relative to `policy`. */
export function parsePolicyMapping(policy: FieldReader): PolicyDocument {
  const { spec, ...metadata } = parseDocumentHeader(policy, 'Policy');
  for (const key of REGO_KEYS) if (spec.raw(key) !== undefined) throw policy.fail(spec.child(key), NO_REGO);
  const policies = spec.list('policies').map(({ path, value }) => parseScript(mappingAt(path, value, policy.fail)));
  if (policies.length === 0) {
    throw policy.fail(spec.child('policies'), 'at least one script is required (a kind and its cel rules)');
  }
  return { ...metadata, inputs: parseInputs(spec), policies };
}

export function parseInputs(spec: FieldReader): PolicyInputSpec[] {
  const seen = new Set<string>();
  return spec.list('inputs').map(({ path, value }) => {
    const input = mappingAt(path, value, spec.fail);
    const name = input.string('name') ?? '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw spec.fail(
        `${path}.name`,
        `${JSON.stringify(name)} is not a valid input name (letters, digits and _, not starting with a digit)`,
      );
    }
    if (seen.has(name)) throw spec.fail(`${path}.name`, `duplicate input "${name}"`);
    seen.add(name);
    const required = input.boolean('required');
    const defaultValue = input.string('default');
    if (required && defaultValue !== undefined && defaultValue !== '') {
      throw spec.fail(path, `input "${name}" cannot be required and have a default: remove one of them`);
    }
    const spec_: PolicyInputSpec = { name, required };
    const description = input.string('description');
    if (description !== undefined) spec_.description = description;
    if (defaultValue !== undefined && defaultValue !== '') spec_.default = defaultValue;
    return spec_;
  });
}

function parseScript(script: FieldReader): PolicyScript {
  const fail = script.fail;
  const parsed: PolicyScript = { phases: parsePhases(script), source: parseSource(script) };
  const kindField = script.raw('kind');
  if (kindField !== undefined) {
    const kind = lookupMaterialKind(kindField.value);
    if (!kind.ok) throw fail(script.child('kind'), kind.reason);
    if (kind.value === 'ARTIFACT') {
      throw fail(
        script.child('kind'),
        'ARTIFACT has no content a rule could read: leave kind out and select the material by name',
      );
    }
    parsed.kind = kind.value;
  }
  return parsed;
}

function parsePhases(script: FieldReader): AttestationPhase[] {
  return script.list('attestationPhases', 'attestation_phases').map(({ path, value }) => {
    if (value === 'INIT' || value === 1) return 'INIT';
    if (value === 'PUSH' || value === 3) return 'PUSH';
    throw script.fail(path, `unknown phase ${JSON.stringify(value)} (known: INIT, PUSH)`);
  });
}

function parseSource(script: FieldReader): PolicyScriptSource {
  const engines = Object.keys(SCRIPT_SOURCES).filter((key) => script.raw(key) !== undefined);
  if (engines.length > 1) throw script.fail(script.path, `one engine per script, found ${engines.join(' and ')}`);
  const [engine] = engines;
  if (engine === undefined) {
    const rego = REGO_KEYS.find((key) => script.raw(key) !== undefined);
    if (rego !== undefined) throw script.fail(script.child(rego), NO_REGO);
    throw script.fail(
      script.path,
      `no rules: expected ${Object.keys(SCRIPT_SOURCES).join(' or ')} with a list of rules`,
    );
  }
  return SCRIPT_SOURCES[engine](script.mappingField(engine) as FieldReader);
}

function parseCelSource(cel: FieldReader): CelScriptSource {
  const fail = cel.fail;
  const skip = cel.list('skip').map(({ path, value }): CelSkip => {
    const entry = mappingAt(path, value, fail);
    const expression = requiredExpression(entry, 'expression');
    const reason = entry.string('reason');
    if (reason === undefined || reason === '')
      throw fail(`${path}.reason`, 'required: say why the evaluation is skipped');
    return { expression, reason };
  });
  const rules = cel.list('rules').map(({ path, value }) => parseCelRule(mappingAt(path, value, fail)));
  if (rules.length === 0) throw fail(cel.child('rules'), 'at least one rule is required');
  return { engine: 'cel', skip, rules };
}

function parseCelRule(rule: FieldReader): CelRule {
  const name = rule.string('name');
  const named = name === undefined ? {} : { name };
  const hasExpression = rule.raw('expression') !== undefined;
  const hasViolations = rule.raw('violations') !== undefined;
  if (hasExpression === hasViolations) {
    throw rule.fail(
      rule.path,
      hasExpression
        ? 'give either expression (a condition that must hold) or violations (a list of failures), not both'
        : 'expected expression (a condition that must hold, with a message) or violations (a list of failures)',
    );
  }
  if (hasViolations) return { ...named, violations: requiredExpression(rule, 'violations') };
  const expression = requiredExpression(rule, 'expression');
  const message = rule.string('message');
  const messageExpression = rule.string('messageExpression', 'message_expression');
  if (message === undefined && messageExpression === undefined) {
    throw rule.fail(
      rule.child('message'),
      'required with expression: the violation message users read when it does not hold',
    );
  }
  return {
    ...named,
    expression,
    ...(message === undefined ? {} : { message }),
    ...(messageExpression === undefined ? {} : { messageExpression }),
  };
}

function requiredExpression(owner: FieldReader, key: string): string {
  const found = owner.raw(key);
  const value = stringAt(owner.child(key), found?.value ?? '', owner.fail);
  if (value.trim() === '') throw owner.fail(owner.child(key), 'empty CEL expression');
  return value;
}
