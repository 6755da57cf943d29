import '../hang-guard';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MaterialKindName } from '@chainloop-ts/core/contract';
import { detectMaterialKind, materialKind } from '@chainloop-ts/core/materials';
import { fixtureDir, VECTORS } from './fixture-dir';

const CHAINLOOP = join(VECTORS, 'chainloop');
const input = (value: string, cwd = CHAINLOOP) => ({ name: 'vector', value, cwd });
const TIMEOUT = { timeout: 60_000 };

/** Chainloop's inputs its <kind>_test.go accepts, with the annotations it records, and what detection picks. */
const ACCEPTED: {
  file: string;
  kind: MaterialKindName;
  annotations: Record<string, string>;
  detected?: MaterialKindName;
}[] = [
  { file: 'jacoco.xml', kind: 'JACOCO_XML', annotations: {} },
  { file: 'cobertura.xml', kind: 'COBERTURA_XML', annotations: {} },
  { file: 'cobertura-empty.xml', kind: 'COBERTURA_XML', annotations: {} },
  { file: 'slsa_provenance.sigstore.json', kind: 'SLSA_PROVENANCE', annotations: {} },
  { file: 'runner-context-branches-v0.1.json', kind: 'CHAINLOOP_RUNNER_CONTEXT', annotations: {} },
  { file: 'runner-context-tags-v0.1.json', kind: 'CHAINLOOP_RUNNER_CONTEXT', annotations: {} },
  // internal/schemavalidators testdata that Chainloop's runner-context validator accepts.
  { file: 'runner_context_gitlab_no_protection-v0.1.json', kind: 'CHAINLOOP_RUNNER_CONTEXT', annotations: {} },
  ...(
    [
      ['openapi-2.0.yaml', '2.0', 'Swagger Petstore 2.0', '1.0.0'],
      ['openapi-3.0.json', '3.0.3', 'Petstore API', '1.0.0'],
      ['openapi-3.1.yaml', '3.1.0', 'Bookstore API', '2.0.0'],
      ['openapi-3.2.yaml', '3.2.0', 'Swagger Petstore - OpenAPI 3.2', '1.0.13'],
    ] as const
  ).map(([file, spec, name, version]) => ({
    file,
    kind: 'OPENAPI_SPEC' as const,
    annotations: {
      'chainloop.material.api.spec_version': spec,
      'chainloop.material.api.name': name,
      'chainloop.material.api.version': version,
    },
  })),
  {
    file: 'asyncapi-2.6.json',
    kind: 'ASYNCAPI_SPEC',
    annotations: {
      'chainloop.material.api.spec_version': '2.6.0',
      'chainloop.material.api.name': 'User Signup Service',
      'chainloop.material.api.version': '1.0.0',
      'chainloop.material.api.protocol': 'amqp',
    },
  },
  {
    file: 'asyncapi-3.0.yaml',
    kind: 'ASYNCAPI_SPEC',
    annotations: {
      'chainloop.material.api.spec_version': '3.0.0',
      'chainloop.material.api.name': 'IoT Sensor Service',
      'chainloop.material.api.version': '2.0.0',
      'chainloop.material.api.protocol': 'mqtt',
    },
  },
  {
    file: 'schema.graphql',
    kind: 'GRAPHQL_SPEC',
    annotations: {
      'chainloop.material.graphql.type_count': '3',
      'chainloop.material.graphql.directives': 'auth,deprecated',
    },
  },
  {
    file: 'dranzer-report.txt',
    kind: 'CERTCC_DRANZER',
    detected: 'ARTIFACT',
    annotations: {
      'chainloop.material.tool.name': 'dranzer',
      'chainloop.material.tool.version': '96',
      'chainloop.material.dranzer.reports.count': '1',
    },
  },
  {
    file: 'radamsa-meta.txt',
    kind: 'RADAMSA_REPORT',
    detected: 'ARTIFACT',
    annotations: { 'chainloop.material.tool.name': 'radamsa' },
  },
  // chainloop_ai_agent_config.go records the envelope's schema as well as the agent name.
  ...['ai-agent-config-claude.json', 'ai-agent-config-cursor.json'].map((file) => ({
    file,
    kind: 'CHAINLOOP_AI_AGENT_CONFIG' as const,
    annotations: {
      'chainloop.material.evidence.schema':
        'https://schemas.chainloop.dev/aiagentconfig/0.1/ai-agent-config.schema.json',
      'chainloop.material.aiagent.name': file.includes('claude') ? 'claude' : 'cursor',
    },
  })),
  {
    file: 'ai-coding-session-with-attribution.json',
    kind: 'CHAINLOOP_AI_CODING_SESSION',
    annotations: {
      'chainloop.material.evidence.schema':
        'https://schemas.chainloop.dev/aicodingsession/0.1/ai-coding-session.schema.json',
      'chainloop.material.aiagent.name': 'claude-code',
      'chainloop.material.aiagent.model': 'claude-opus-4-6',
    },
  },
  {
    file: 'ai-coding-session.json',
    kind: 'CHAINLOOP_AI_CODING_SESSION',
    annotations: {
      'chainloop.material.evidence.schema':
        'https://schemas.chainloop.dev/aicodingsession/0.1/ai-coding-session.schema.json',
      'chainloop.material.aiagent.name': 'claude-code',
      'chainloop.material.aiagent.model': 'claude-opus-4-6',
    },
  },
  {
    file: 'ai-coding-session-minimal.json',
    kind: 'CHAINLOOP_AI_CODING_SESSION',
    annotations: {
      'chainloop.material.evidence.schema':
        'https://schemas.chainloop.dev/aicodingsession/0.1/ai-coding-session.schema.json',
      'chainloop.material.aiagent.name': 'cursor',
    },
  },
];

/** The inputs Chainloop's tests refuse, for the kind, with the reason we give. */
const REFUSED: { file: string; kind: MaterialKindName; reason: RegExp }[] = [
  { file: 'simple.txt', kind: 'JACOCO_XML', reason: /it is not XML/ },
  { file: 'junit.xml', kind: 'JACOCO_XML', reason: /<testsuites> has no <counter> elements/ },
  { file: 'simple.txt', kind: 'COBERTURA_XML', reason: /it is not XML/ },
  { file: 'jacoco.xml', kind: 'COBERTURA_XML', reason: /the root element is <report>, expected <coverage>/ },
  { file: 'junit.xml', kind: 'COBERTURA_XML', reason: /the root element is <testsuites>/ },
  {
    file: 'attestation-bundle.json',
    kind: 'SLSA_PROVENANCE',
    reason: /predicate type is "chainloop\.dev\/attestation\/v0\.2"/,
  },
  {
    file: 'random.json',
    kind: 'CHAINLOOP_RUNNER_CONTEXT',
    reason: /does not match the runner context schema: \/ must have required property 'meta'/,
  },
  // internal/schemavalidators testdata: Chainloop's validator refuses them with "missing properties: 'meta'/'data'".
  {
    file: 'runner_context_missing-meta-v0.1.json',
    kind: 'CHAINLOOP_RUNNER_CONTEXT',
    reason: /runner context schema: \/ must have required property 'meta'/,
  },
  {
    file: 'runner_context_missing-data-v0.1.json',
    kind: 'CHAINLOOP_RUNNER_CONTEXT',
    reason: /runner context schema: \/ must have required property 'data'/,
  },
  { file: 'simple.txt', kind: 'OPENAPI_SPEC', reason: /it does not start like one/ },
  { file: 'random.json', kind: 'OPENAPI_SPEC', reason: /it has no "openapi" or "swagger" version/ },
  {
    file: 'openapi-invalid.json',
    kind: 'OPENAPI_SPEC',
    reason: /OpenAPI 3\.0\.3 schema validation failed: \/ must have required property 'paths'/,
  },
  { file: 'swagger-2.0-invalid.json', kind: 'OPENAPI_SPEC', reason: /OpenAPI 2\.0 schema validation failed/ },
  {
    file: 'asyncapi-invalid.json',
    kind: 'ASYNCAPI_SPEC',
    reason: /AsyncAPI schema validation failed: \/ must have required property 'channels'/,
  },
  { file: 'random.json', kind: 'ASYNCAPI_SPEC', reason: /it has no "asyncapi" version/ },
  { file: 'invalid.graphql', kind: 'GRAPHQL_SPEC', reason: /it is not GraphQL SDL \(Syntax Error/ },
  { file: 'random.json', kind: 'CERTCC_DRANZER', reason: /it does not look like dranzer output/ },
  {
    file: 'radamsa-meta-invalid.txt',
    kind: 'RADAMSA_REPORT',
    reason: /invalid radamsa -M metadata log: invalid radamsa -M pair/,
  },
  { file: 'random.json', kind: 'CHAINLOOP_AI_AGENT_CONFIG', reason: /data is missing/ },
  {
    file: 'ai-agent-config-claude.json',
    kind: 'CHAINLOOP_AI_CODING_SESSION',
    reason: /data\.schema_version is missing/,
  },
  {
    file: 'ai-coding-session.json',
    kind: 'CHAINLOOP_AI_AGENT_CONFIG',
    reason: /data\.config_hash is missing \(ai-agent-config 0\.1 schema\)/,
  },
  { file: 'random.json', kind: 'CHAINLOOP_AI_CODING_SESSION', reason: /data is missing/ },
  { file: 'random.json', kind: 'CHAINLOOP_PR_INFO', reason: /data does not match the PR info schema/ },
];

/** A Chainloop evidence envelope around `data`, as the crafters read it. */
const aiEnvelope = (id: string, data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    'chainloop.material.evidence.id': id,
    schema:
      id === 'CHAINLOOP_AI_AGENT_CONFIG'
        ? 'https://schemas.chainloop.dev/aiagentconfig/0.1/ai-agent-config.schema.json'
        : 'https://schemas.chainloop.dev/aicodingsession/0.1/ai-coding-session.schema.json',
    data,
    ...extra,
  });

describe('Chainloop material kinds (batch B) on Chainloop inputs', () => {
  for (const vector of ACCEPTED) {
    it(
      `${vector.file}: accepted as ${vector.kind} with Chainloop's annotations, detected as ${vector.detected ?? vector.kind}`,
      TIMEOUT,
      async () => {
        const inspected = await materialKind(vector.kind).inspect(input(vector.file));
        assert.deepEqual(inspected, {
          shape: 'file',
          path: join(CHAINLOOP, vector.file),
          fileName: vector.file,
          annotations: vector.annotations,
        });
        assert.equal((await detectMaterialKind(input(vector.file))).kind, vector.detected ?? vector.kind);
      },
    );
  }

  for (const vector of REFUSED) {
    it(`${vector.file}: refused as ${vector.kind} in one line`, TIMEOUT, async () => {
      await assert.rejects(
        materialKind(vector.kind).inspect(input(vector.file)),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'MATERIAL_INVALID');
          assert.match(
            error.message,
            new RegExp(`^material "vector": file ${vector.file.replace(/\./g, '\\.')} is not a valid ${vector.kind}: `),
          );
          assert.match(error.message, vector.reason);
          assert.ok(!error.message.includes('\n'), error.message);
          return true;
        },
      );
    });
  }

  it('the refused spec documents auto-detect as ARTIFACT, not as a spec', TIMEOUT, async () => {
    for (const file of [
      'openapi-invalid.json',
      'swagger-2.0-invalid.json',
      'asyncapi-invalid.json',
      'invalid.graphql',
    ]) {
      assert.equal((await detectMaterialKind(input(file))).kind, 'ARTIFACT', file);
    }
  });

  it('OpenAPI 3.2: the official schema applies, not only the required fields', TIMEOUT, async () => {
    const { dir, write } = fixtureDir();
    const { parse } = await import('yaml');
    const doc = parse(readFileSync(join(CHAINLOOP, 'openapi-3.2.yaml'), 'utf8'));
    write('extra.json', JSON.stringify({ ...doc, 'not-an-openapi-field': true }));
    const { paths: _paths, components: _components, webhooks: _webhooks, ...bare } = doc;
    write('no-paths.json', JSON.stringify(bare));
    write('bad-server.json', JSON.stringify({ ...doc, servers: [{ description: 'no url' }] }));
    const kind = materialKind('OPENAPI_SPEC');
    await assert.rejects(kind.inspect(input('extra.json', dir)), {
      message: /OpenAPI 3\.2\.0 schema validation failed: \/ must NOT have unevaluated properties/,
    });
    await assert.rejects(kind.inspect(input('no-paths.json', dir)), {
      message: /OpenAPI 3\.2\.0 schema validation failed: \/ must have required property 'paths'/,
    });
    await assert.rejects(kind.inspect(input('bad-server.json', dir)), {
      message: /OpenAPI 3\.2\.0 schema validation failed: \/servers\/0 must have required property 'url'/,
    });
    assert.equal((await detectMaterialKind(input('extra.json', dir))).kind, 'ARTIFACT');
  });

  it(
    'runner context: the schema reaches every level (a field the schema does not know, a wrong type)',
    TIMEOUT,
    async () => {
      const { dir, write } = fixtureDir();
      const doc = JSON.parse(readFileSync(join(CHAINLOOP, 'runner-context-tags-v0.1.json'), 'utf8'));
      const tagRule = doc.data.repos[0].tags[0].active_rules[0];
      write('extra.json', JSON.stringify({ ...doc, data: { ...doc.data, ci: 'github' } }));
      tagRule.bypass_configuration[0].actor_id = '5';
      write('type.json', JSON.stringify(doc));
      delete tagRule.bypass_configuration;
      tagRule.context[0].members = ['alice', 42];
      write('member.json', JSON.stringify(doc));
      const kind = materialKind('CHAINLOOP_RUNNER_CONTEXT');
      await assert.rejects(kind.inspect(input('extra.json', dir)), { message: /\/data unexpected field "ci"/ });
      await assert.rejects(kind.inspect(input('type.json', dir)), {
        message: /\/data\/repos\/0\/tags\/0\/active_rules\/0\/bypass_configuration\/0\/actor_id must be integer/,
      });
      await assert.rejects(kind.inspect(input('member.json', dir)), {
        message: /\/data\/repos\/0\/tags\/0\/active_rules\/0\/context\/0\/members\/1 must be string/,
      });
      assert.equal((await detectMaterialKind(input('extra.json', dir))).kind, 'ARTIFACT');
    },
  );

  it(
    "AI evidence: Chainloop's schemavalidators testdata gives the verdicts of schemavalidators_test.go",
    TIMEOUT,
    async () => {
      // internal/schemavalidators/testdata holds bare `data` documents; the crafter validates the envelope's `data`.
      const { dir, write } = fixtureDir();
      const wrap = (file: string, id: string) =>
        write(file, aiEnvelope(id, JSON.parse(readFileSync(join(CHAINLOOP, file), 'utf8'))));
      wrap('ai_agent_config_valid.json', 'CHAINLOOP_AI_AGENT_CONFIG');
      wrap('ai_agent_config_missing_agent.json', 'CHAINLOOP_AI_AGENT_CONFIG');
      wrap('ai_coding_session_valid.json', 'CHAINLOOP_AI_CODING_SESSION');
      wrap('ai_coding_session_missing_required.json', 'CHAINLOOP_AI_CODING_SESSION');
      const config = materialKind('CHAINLOOP_AI_AGENT_CONFIG');
      const session = materialKind('CHAINLOOP_AI_CODING_SESSION');
      assert.equal(
        (await config.inspect(input('ai_agent_config_valid.json', dir))).annotations['chainloop.material.aiagent.name'],
        'claude',
      );
      assert.deepEqual((await session.inspect(input('ai_coding_session_valid.json', dir))).annotations, {
        'chainloop.material.evidence.schema':
          'https://schemas.chainloop.dev/aicodingsession/0.1/ai-coding-session.schema.json',
        'chainloop.material.aiagent.name': 'claude-code',
      });
      // Chainloop: "missing properties: 'agent'" / "missing properties: 'agent', 'session'".
      await assert.rejects(config.inspect(input('ai_agent_config_missing_agent.json', dir)), {
        code: 'MATERIAL_INVALID',
        message: /is not a valid CHAINLOOP_AI_AGENT_CONFIG: data\.agent is missing \(ai-agent-config 0\.1 schema\)$/,
      });
      await assert.rejects(session.inspect(input('ai_coding_session_missing_required.json', dir)), {
        code: 'MATERIAL_INVALID',
        message:
          /is not a valid CHAINLOOP_AI_CODING_SESSION: data\.agent is missing \(ai-coding-session 0\.1 schema\)$/,
      });
    },
  );

  it(
    'AI evidence: the 0.1 schemas and Go decoding refuse what a required-fields check let through',
    TIMEOUT,
    async () => {
      const { dir, write } = fixtureDir();
      const claude = JSON.parse(readFileSync(join(CHAINLOOP, 'ai-agent-config-claude.json'), 'utf8'));
      const minimal = JSON.parse(readFileSync(join(CHAINLOOP, 'ai-coding-session-minimal.json'), 'utf8'));
      const CONFIG = 'CHAINLOOP_AI_AGENT_CONFIG';
      const SESSION = 'CHAINLOOP_AI_CODING_SESSION';
      const [file] = claude.data.config_files;
      const { kind: _kind, ...fileWithoutKind } = file;
      const refusals: [string, string, string, RegExp][] = [
        // The schema's rules beyond "has agent.name and config_files with path and sha256".
        [
          'no-kind.json',
          CONFIG,
          aiEnvelope(CONFIG, { ...claude.data, config_files: [fileWithoutKind] }),
          /data\.config_files\[0\]\.kind is missing \(ai-agent-config 0\.1 schema\)$/,
        ],
        [
          'bad-kind.json',
          CONFIG,
          aiEnvelope(CONFIG, { ...claude.data, config_files: [{ ...file, kind: 'readme' }] }),
          /data\.config_files\[0\]\.kind must be one of "configuration", "instruction", "skill"/,
        ],
        [
          'captured-at.json',
          CONFIG,
          aiEnvelope(CONFIG, { ...claude.data, captured_at: '2026-03-13T10:00:00Z' }),
          /data has field "captured_at", which the schema does not allow \(ai-agent-config 0\.1 schema\)$/,
        ],
        [
          'negative-size.json',
          CONFIG,
          aiEnvelope(CONFIG, { ...claude.data, config_files: [{ ...file, size: -1 }] }),
          /data\.config_files\[0\]\.size must be >= 0/,
        ],
        [
          'no-started-at.json',
          SESSION,
          aiEnvelope(SESSION, { ...minimal.data, session: { id: 'abc-123', duration_seconds: 1 } }),
          /data\.session\.started_at is missing \(ai-coding-session 0\.1 schema\)$/,
        ],
        [
          'extra-field.json',
          SESSION,
          aiEnvelope(SESSION, { ...minimal.data, unknown_field: 'should fail' }),
          /data has field "unknown_field", which the schema does not allow/,
        ],
        [
          'null-data.json',
          SESSION,
          aiEnvelope(SESSION, null),
          /data must be object \(ai-coding-session 0\.1 schema\)$/,
        ],
        // The schema leaves `model` open; Chainloop's Go struct still needs a string there.
        [
          'model-number.json',
          SESSION,
          aiEnvelope(SESSION, { ...minimal.data, model: { primary: 4 } }),
          /data\.model\.primary: cannot decode a JSON number into Chainloop's string field$/,
        ],
        [
          'schema-number.json',
          SESSION,
          aiEnvelope(SESSION, minimal.data, { schema: 1 }),
          /it is not a Chainloop evidence envelope \(schema: cannot decode a JSON number/,
        ],
      ];
      for (const [name, kind, text, reason] of refusals) {
        write(name, text);
        await assert.rejects(
          materialKind(kind as MaterialKindName).inspect(input(name, dir)),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'MATERIAL_INVALID', name);
            assert.match(
              error.message,
              new RegExp(`^material "vector": file ${name.replace(/\./g, '\\.')} is not a valid ${kind}: `),
            );
            assert.match(error.message, reason, name);
            assert.ok(!error.message.includes('\n'), error.message);
            return true;
          },
          name,
        );
      }
      // Go matches struct fields case-insensitively: a "Primary" key is the model Chainloop records.
      write('model-case.json', aiEnvelope(SESSION, { ...minimal.data, model: { Primary: 'gpt-5' } }));
      assert.equal(
        (await materialKind(SESSION).inspect(input('model-case.json', dir))).annotations[
          'chainloop.material.aiagent.model'
        ],
        'gpt-5',
      );
    },
  );

  it('PR info: data must pass the PR-info schema; never auto-detected', TIMEOUT, async () => {
    const { dir, write } = fixtureDir();
    const data = {
      platform: 'github',
      type: 'pull_request',
      number: '42',
      url: 'https://github.com/o/r/pull/42',
      title: 'Fix',
    };
    write('pr.json', JSON.stringify({ 'chainloop.material.evidence.id': 'CHAINLOOP_PR_INFO', schema: 'x', data }));
    write('bad.json', JSON.stringify({ data: { ...data, platform: 'svn' } }));
    const accepted = await materialKind('CHAINLOOP_PR_INFO').inspect(input('pr.json', dir));
    assert.equal(accepted.shape, 'file');
    await assert.rejects(materialKind('CHAINLOOP_PR_INFO').inspect(input('bad.json', dir)), {
      message: /\/platform must be equal to one of the allowed values/,
    });
    assert.equal((await detectMaterialKind(input('pr.json', dir))).kind, 'ARTIFACT');
  });

  it('dranzer: an archive of one run counts its reports, not the CSV companion', TIMEOUT, async () => {
    const { dir } = fixtureDir();
    const { create } = await import('tar');
    await create({ gzip: true, file: join(dir, 'Dranzer.tar.gz'), cwd: join(CHAINLOOP, 'dranzer-bundle') }, [
      'checkResult_Dranzer.csv',
      'example-app_1.0.0_b_Result.txt',
      'example-app_1.0.0_p_Result.txt',
      'example-app_1.0.0_s_Result.txt',
      'example-app_1.0.0_t_Result.txt',
    ]);
    await create({ gzip: true, file: join(dir, 'csv-only.tar.gz'), cwd: join(CHAINLOOP, 'dranzer-bundle') }, [
      'checkResult_Dranzer.csv',
    ]);
    const bundle = await materialKind('CERTCC_DRANZER').inspect(input('Dranzer.tar.gz', dir));
    assert.equal(bundle.annotations['chainloop.material.dranzer.reports.count'], '4');
    assert.equal(bundle.annotations['chainloop.material.tool.version'], '96');
    await assert.rejects(materialKind('CERTCC_DRANZER').inspect(input('csv-only.tar.gz', dir)), {
      code: 'MATERIAL_INVALID',
      message: /does not look like dranzer output/,
    });
  });

  it(
    'radamsa crashes: an archive counts its files, a single file is one crash, an empty one is refused',
    TIMEOUT,
    async () => {
      const { dir, write } = fixtureDir();
      write('c_1.eds', 'AAAA');
      write('c_2.eds', 'BBBB');
      write('empty.bin', '');
      const { create } = await import('tar');
      await create({ gzip: true, file: join(dir, 'crashes.tar.gz'), cwd: dir }, ['c_1.eds', 'c_2.eds']);
      const crashes = materialKind('RADAMSA_CRASHES');
      assert.deepEqual((await crashes.inspect(input('crashes.tar.gz', dir))).annotations, {
        'chainloop.material.tool.name': 'radamsa',
        'chainloop.material.radamsa.crashes.count': '2',
      });
      assert.equal(
        (await crashes.inspect(input('c_1.eds', dir))).annotations['chainloop.material.radamsa.crashes.count'],
        '1',
      );
      await assert.rejects(crashes.inspect(input('empty.bin', dir)), { code: 'MATERIAL_FILE_EMPTY' });
    },
  );
});
