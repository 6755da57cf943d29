import '../hang-guard';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseContract } from '@chainloop-ts/core/contract';
import {
  builtinPolicyText,
  createPolicyResolver,
  evaluateAttestationPolicies,
  evaluateMaterialPolicies,
  materialRuleInput,
  type PolicyEvaluation,
  type PolicyMaterial,
  summarizePolicies,
} from '@chainloop-ts/core/policies';
import { fixtureDir, VECTORS } from '../materials/fixture-dir';

const QUICK = { timeout: 30_000 };
const resolver = createPolicyResolver({ cwd: VECTORS });

/** A policy echoing what its rule sees: one violation whose message is `show` evaluated. */
function echoPolicy(name: string, kind: string | undefined, show: string, inputs = '') {
  return `
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata:
            name: ${name}
          spec:${inputs}
            policies:
              - ${kind === undefined ? '' : `kind: ${kind}\n                `}cel:
                  rules:
                    - violations: '[${show}]'`;
}

function contractWith(policies: string) {
  return parseContract(`apiVersion: chainloop.dev/v1
kind: Contract
metadata:
  name: c
spec:
  materials:
    - type: STRING
      name: build-ref
    - type: STRING
      name: build-id
    - type: SBOM_CYCLONEDX_JSON
      name: sbom
  policies:
${policies}
`).policies!;
}

const STRING_MATERIAL: PolicyMaterial = {
  name: 'build-ref',
  kind: 'STRING',
  value: 'refs/heads/main',
  digest: 'sha256:x',
  annotations: { team: 'core' },
};

describe('which policies apply', () => {
  it('by kind, by selector (exact and prefix), never when disabled or for another kind', QUICK, async () => {
    const policies = contractWith(`    materials:
      - embedded:${echoPolicy('by-kind', 'STRING', 'material.name')}
      - selector: { name: build-id }
        embedded:${echoPolicy('by-exact-name', 'STRING', 'material.name')}
      - selector: { name: build-, matchMode: PREFIX }
        embedded:${echoPolicy('by-prefix', 'STRING', 'material.name')}
      - disabled: true
        embedded:${echoPolicy('disabled', 'STRING', 'material.name')}
      - embedded:${echoPolicy('other-kind', 'SARIF', 'material.name')}
      - embedded:${echoPolicy('kindless-unselected', undefined, 'material.name')}
      - selector: { name: build-ref }
        embedded:${echoPolicy('kindless-selected', undefined, 'material.name')}
`);
    const names = async (material: PolicyMaterial) =>
      (await evaluateMaterialPolicies(policies.materials, material, undefined, { resolver })).map((e) => e.name);
    assert.deepEqual(await names(STRING_MATERIAL), ['by-kind', 'by-prefix', 'kindless-selected']);
    assert.deepEqual(await names({ ...STRING_MATERIAL, name: 'build-id' }), ['by-kind', 'by-exact-name', 'by-prefix']);
  });

  it('attestation scripts by phase: none listed runs at every phase', QUICK, async () => {
    const phased = (name: string, phases: string) => `
          apiVersion: chainloop.dev/v1
          kind: Policy
          metadata: { name: ${name} }
          spec:
            policies:
              - kind: ATTESTATION
                attestationPhases: [${phases}]
                cel:
                  rules:
                    - violations: '[]'`;
    const policies = contractWith(`    attestation:
      - embedded:${phased('at-init', 'INIT')}
      - embedded:${phased('at-push', 'PUSH')}
      - embedded:${phased('always', '')}
`);
    const statement = { _type: 'https://in-toto.io/Statement/v1', predicate: { runnerType: 'GITHUB_ACTION' } };
    const at = async (phase: 'INIT' | 'PUSH') =>
      (await evaluateAttestationPolicies(policies.attestation, statement, phase, { resolver })).map((e) => e.name);
    assert.deepEqual(await at('INIT'), ['at-init', 'always']);
    assert.deepEqual(await at('PUSH'), ['at-push', 'always']);
  });
});

describe('inputs and gates', () => {
  const withInputs = `
            inputs:
              - name: one
              - name: many
              - name: fallback
                default: "d1,d2"`;

  it(
    'one value is a string, several a list; defaults fill the gaps; undeclared values are reported and dropped',
    QUICK,
    async () => {
      const policies = contractWith(`    materials:
      - ref: file://./unused.yaml
        disabled: true
      - embedded:${echoPolicy('args', 'STRING', 'string(args)', withInputs).replace("'[string(args)]'", `'[type(args.one) == string ? "one:string" : "one:list", type(args.many) == list ? "many:" + args.many.join("|") : "many:string", values(args.fallback).join("|")]'`)}
        with:
          one: single
          many: "a, b\\nc\\\\,d"
`);
      // Undeclared inputs can only come through a ref (embedded ones are checked at parse time): give one directly.
      policies.materials[1].with.typo = 'x';
      const ignored: string[] = [];
      const [evaluation] = await evaluateMaterialPolicies(policies.materials, STRING_MATERIAL, undefined, {
        resolver,
        onIgnoredInputs: (policy, names) => ignored.push(`${policy}:${names.join(',')}`),
      });
      assert.deepEqual(
        evaluation.violations.map((v) => v.message),
        ['one:string', 'many:a|b|c,d', 'd1|d2'],
      );
      assert.deepEqual(evaluation.with, { one: 'single', many: 'a, b\nc\\,d', fallback: 'd1,d2' });
      assert.deepEqual(ignored, ['args:typo']);
    },
  );

  it("gate: the attachment's value, else the organisation's default, else advisory", QUICK, async () => {
    const policies = contractWith(`    materials:
      - embedded:${echoPolicy('inherits', 'STRING', '"v"')}
      - gate: false
        embedded:${echoPolicy('advisory', 'STRING', '"v"')}
      - gate: true
        embedded:${echoPolicy('gated', 'STRING', '"v"')}
`);
    const gates = async (defaultGate?: boolean) =>
      (await evaluateMaterialPolicies(policies.materials, STRING_MATERIAL, undefined, { resolver, defaultGate })).map(
        (e) => `${e.name}:${e.gate}`,
      );
    assert.deepEqual(await gates(), ['inherits:false', 'advisory:false', 'gated:true']);
    assert.deepEqual(await gates(true), ['inherits:true', 'advisory:false', 'gated:true']);
  });
});

describe('what a rule sees', () => {
  it('a STRING material: its value, name, kind and annotations', QUICK, async () => {
    const seen = await materialRuleInput(STRING_MATERIAL, undefined, { x: 'y' });
    assert.deepEqual(seen, {
      input: { value: 'refs/heads/main' },
      material: {
        name: 'build-ref',
        kind: 'STRING',
        digest: 'sha256:x',
        annotations: { team: 'core' },
        value: 'refs/heads/main',
      },
      predicate: null,
      args: { x: 'y' },
    });
  });

  it('a JUnit report as suites and cases with counts, nested suites flattened', QUICK, async () => {
    const material: PolicyMaterial = {
      name: 'tests',
      kind: 'JUNIT_XML',
      fileName: 'junit.xml',
      digest: 'sha256:x',
      annotations: {},
    };
    const { input } = await materialRuleInput(material, join(VECTORS, 'junit.xml'), {});
    const report = input as {
      tests: number;
      failures: number;
      errors: number;
      suites: { name: string; tests: number }[];
    };
    assert.deepEqual(
      { tests: report.tests, failures: report.failures, errors: report.errors },
      { tests: 9, failures: 1, errors: 0 },
    );
    assert.deepEqual(
      report.suites.map((s) => `${s.name}:${s.tests}`),
      ['Tests.Registration:3', 'Tests.Authentication:3', 'Tests.Authentication.Login:3'],
    );
  });

  it(
    'a container image as name, registry, repository, tag and digest; a file kind without content by name',
    QUICK,
    async () => {
      const image: PolicyMaterial = {
        name: 'image',
        kind: 'CONTAINER_IMAGE',
        image: { name: 'index.docker.io/bitnami/nginx', tag: '1.25' },
        digest: 'sha256:fbd9335f55d83d8aaf9ab1a539b0f2a87b444e8c54f34c9a1ca9d7df15605db4',
        annotations: {},
      };
      assert.deepEqual((await materialRuleInput(image, undefined, {})).input, {
        name: 'index.docker.io/bitnami/nginx',
        registry: 'index.docker.io',
        repository: 'bitnami/nginx',
        tag: '1.25',
        digest: 'sha256:fbd9335f55d83d8aaf9ab1a539b0f2a87b444e8c54f34c9a1ca9d7df15605db4',
      });
      const chart: PolicyMaterial = {
        name: 'chart',
        kind: 'HELM_CHART',
        fileName: 'valid-chart.tgz',
        digest: 'sha256:y',
        annotations: {},
      };
      assert.deepEqual((await materialRuleInput(chart, join(VECTORS, 'valid-chart.tgz'), {})).input, {
        fileName: 'valid-chart.tgz',
        digest: 'sha256:y',
      });
    },
  );
});

describe('what a rule sees of the scanner reports and specs (as Chainloop hands a policy the material)', () => {
  const CHAINLOOP_VECTORS = join(VECTORS, 'chainloop');
  const fileMaterial = (kind: PolicyMaterial['kind'], fileName: string): PolicyMaterial => ({
    name: 'report',
    kind,
    fileName,
    digest: 'sha256:x',
    annotations: {},
  });

  it('a CEL rule counts the findings of a gitleaks report, and a clean report passes', QUICK, async () => {
    const policies = contractWith(`    materials:
      - embedded:${echoPolicy('no-leaks', 'GITLEAKS_JSON', 'x', '').replace(
        "'[x]'",
        `'size(input) == 0 ? [] : [string(size(input)) + " leaks: " + input.map(f, f.RuleID).join(", ")]'`,
      )}
`);
    const evaluate = (path: string) =>
      evaluateMaterialPolicies(policies.materials, fileMaterial('GITLEAKS_JSON', 'gitleaks.json'), path, { resolver });
    const [leaky] = await evaluate(join(VECTORS, 'gitleaks-report-violations.json'));
    assert.deepEqual(
      leaky.violations.map((v) => v.message),
      ['2 leaks: generic-api-key, aws-access-key'],
    );
    const [clean] = await evaluate(join(CHAINLOOP_VECTORS, 'gitleaks-report-clean.json'));
    assert.deepEqual(clean.violations, []);
  });

  it('a TruffleHog report (JSON lines) as the list of its findings, an empty scan as []', QUICK, async () => {
    const seen = async (file: string) =>
      (await materialRuleInput(fileMaterial('TRUFFLEHOG_JSON', file), join(CHAINLOOP_VECTORS, file), {})).input;
    const findings = (await seen('trufflehog-report.json')) as { DetectorName: string; Verified: boolean }[];
    assert.deepEqual(
      findings.map((f) => `${f.DetectorName}:${f.Verified}`),
      ['Github:true', 'AWS:false'],
    );
    assert.deepEqual(await seen('trufflehog-clean-scan.jsonl'), []);
  });

  it('an OpenAPI spec as its document, from YAML as from JSON', QUICK, async () => {
    const info = async (file: string) =>
      (
        (await materialRuleInput(fileMaterial('OPENAPI_SPEC', file), join(CHAINLOOP_VECTORS, file), {})).input as {
          info: { title: string; version: string };
        }
      ).info;
    assert.deepEqual(await info('openapi-3.1.yaml'), {
      title: 'Bookstore API',
      version: '2.0.0',
      description: 'A sample bookstore API',
    });
    assert.equal((await info('openapi-3.0.json')).title, 'Petstore API');
  });
});

describe('policy references', () => {
  const refContract = (ref: string) =>
    contractWith(`    materials:
      - ref: ${ref}
        selector: { name: sbom }
        with: { min_components: "1" }
`);
  const sbom: PolicyMaterial = { name: 'sbom', kind: 'SBOM_CYCLONEDX_JSON', digest: 'sha256:x', annotations: {} };
  const sbomPath = join(VECTORS, 'sbom.cyclonedx-1.5.json');
  const run = (ref: string, fetchStored?: Parameters<typeof createPolicyResolver>[0]['fetchStored']) =>
    evaluateMaterialPolicies(refContract(ref).materials, sbom, sbomPath, {
      resolver: createPolicyResolver({ cwd: VECTORS, fetchStored }),
    });

  it('a built-in pinned by its digest, and refused when the pin does not match', QUICK, async () => {
    const digest = createHash('sha256')
      .update(builtinPolicyText('sbom-min-components') ?? '')
      .digest('hex');
    const [evaluation] = await run(`builtin://sbom-min-components@sha256:${digest}`);
    assert.deepEqual(evaluation.policyReference, {
      name: 'sbom-min-components',
      uri: 'builtin://sbom-min-components',
      digest: { sha256: digest },
    });
    await assert.rejects(run(`builtin://sbom-min-components@sha256:${'0'.repeat(64)}`), {
      code: 'POLICY_NOT_FOUND',
      message: `policy builtin://sbom-min-components@sha256:${'0'.repeat(64)} (spec.policies.materials[0]): its content has digest sha256:${digest}, not the pinned sha256:${'0'.repeat(64)}: update the pin`,
    });
  });

  it(
    'unknown built-ins, revisions of built-ins and stored policies without a control plane are refused',
    QUICK,
    async () => {
      await assert.rejects(run('builtin://sbom-max-components'), {
        message:
          /^policy builtin:\/\/sbom-max-components \(spec\.policies\.materials\[0\]\): no built-in policy "sbom-max-components" \(built-in: sbom-min-components, /,
      });
      await assert.rejects(run('builtin://sbom-min-components@2'), { message: /built-in policies have no revisions/ });
      await assert.rejects(run('sbom-min-components'), {
        message:
          /^policy sbom-min-components \(spec\.policies\.materials\[0\]\): policies stored in the control plane are not available here: use builtin:\/\/ or file:\/\/$/,
      });
    },
  );

  it(
    'a stored policy by revision, recorded as chainloop://name@revision; a document of another name is refused',
    QUICK,
    async () => {
      const asked: string[] = [];
      const fetchStored = async (name: string, revision: number | undefined) => {
        asked.push(`${name}@${revision}`);
        return { text: builtinPolicyText('sbom-min-components') ?? '', revision: revision ?? 7 };
      };
      const [pinned] = await run('sbom-min-components@3', fetchStored);
      assert.equal(pinned.policyReference?.uri, 'chainloop://sbom-min-components@3');
      const [latest] = await run('chainloop://sbom-min-components', fetchStored);
      assert.equal(latest.policyReference?.uri, 'chainloop://sbom-min-components@7');
      assert.deepEqual(asked, ['sbom-min-components@3', 'sbom-min-components@undefined']);
      await assert.rejects(run('other-policy', fetchStored), {
        message:
          'policy other-policy (spec.policies.materials[0]): the document is named "sbom-min-components", not "other-policy"',
      });
    },
  );

  it(
    'a file:// policy, resolved against the working directory; a bad one names the file and the path in it',
    QUICK,
    async () => {
      const { dir, write } = fixtureDir();
      write('mine.yaml', builtinPolicyText('sbom-min-components') ?? '');
      write(
        'broken.yaml',
        'apiVersion: chainloop.dev/v1\nkind: Policy\nmetadata: { name: broken }\nspec: { policies: [] }\n',
      );
      const evaluateFile = (file: string) =>
        evaluateMaterialPolicies(refContract(`file://${file}`).materials, sbom, sbomPath, {
          resolver: createPolicyResolver({ cwd: dir }),
        });
      const [evaluation] = await evaluateFile('mine.yaml');
      assert.equal(evaluation.policyReference?.uri, `file://${join(dir, 'mine.yaml')}`);
      await assert.rejects(evaluateFile('broken.yaml'), {
        code: 'POLICY_INVALID',
        message: `invalid policy: file://${join(dir, 'broken.yaml')} spec.policies: at least one script is required (a kind and its cel rules)`,
      });
      await assert.rejects(evaluateFile('missing.yaml'), { message: /cannot read .*missing\.yaml \(ENOENT\)/ });
    },
  );
});

describe('summarizePolicies', () => {
  const evaluation = (violations: number, gate: boolean): PolicyEvaluation => ({
    name: 'p',
    materialName: 'm',
    violations: Array.from({ length: violations }, () => ({ subject: 'p', message: 'v' })),
    with: {},
    type: 'STRING',
    skipped: false,
    skipReasons: [],
    requirements: [],
    gate,
  });

  it(
    "follows Chainloop's policyAttBlocked: gated violations, or any violation when enforced, unless bypassed",
    QUICK,
    () => {
      const advisory = { blockOnViolation: false, bypass: false };
      assert.deepEqual(summarizePolicies([evaluation(1, false)], advisory), {
        policyHasViolations: true,
        policyHasGatedViolations: false,
        policyCheckBlockingStrategy: 'ADVISORY',
        policyBlockBypassEnabled: false,
        policyAttBlocked: false,
      });
      assert.equal(summarizePolicies([evaluation(1, true)], advisory).policyAttBlocked, true);
      assert.equal(summarizePolicies([evaluation(0, true)], advisory).policyAttBlocked, false);
      const enforced = summarizePolicies([evaluation(2, false)], { blockOnViolation: true, bypass: false });
      assert.equal(enforced.policyCheckBlockingStrategy, 'ENFORCED');
      assert.equal(enforced.policyAttBlocked, true);
      const bypassed = summarizePolicies([evaluation(1, true)], { blockOnViolation: true, bypass: true });
      assert.deepEqual([bypassed.policyAttBlocked, bypassed.policyBlockBypassEnabled], [false, true]);
    },
  );
});

describe('the README example', () => {
  it('is a valid policy that runs on a real SBOM', QUICK, async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../src/policies/README.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const indented = yaml
      .split('\n')
      .map((line) => `          ${line}`)
      .join('\n');
    const policies = contractWith(`    materials:
      - embedded:
${indented}
`);
    const sbom: PolicyMaterial = { name: 'sbom', kind: 'SBOM_CYCLONEDX_JSON', digest: 'sha256:x', annotations: {} };
    const [evaluation] = await evaluateMaterialPolicies(
      policies.materials,
      sbom,
      join(VECTORS, 'sbom.cyclonedx-1.5.json'),
      {
        resolver,
      },
    );
    assert.equal(evaluation.name, 'sbom-min-components');
    assert.equal(evaluation.skipped, false);
    // Every component of that SBOM has a version.
    assert.deepEqual(evaluation.violations, []);
  });
});
