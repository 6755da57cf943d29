/**
 * The documents init collects in a CI, from recorded environments of each CI, compared field by field (and key by
 * key, in Chainloop's order) with what Chainloop records: the CHAINLOOP_PR_INFO evidence (pkg/prinfo: envelope
 * `{"chainloop.material.evidence.id", schema, data}`, `data` valid against its PR-info 1.3 schema, copied in
 * fixtures/vectors/ci-context) and the CHAINLOOP_RUNNER_CONTEXT document (runner-context-response-0.1).
 */
import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  circleci,
  dagger,
  detectPullRequest,
  generic,
  githubActions,
  gitlabCi,
  jenkins,
  type PrInfoEvidence,
  prInfoEvidence,
  prInfoMaterialName,
  type Runner,
  runnerContextDocument,
} from '@chainloop-ts/core/runners';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { GITHUB_ACTIONS_ENV, GITLAB_CI_ENV } from './ci-environments';
import {
  CI_CONTEXT_FIXTURES,
  CIRCLECI_PULL_REQUEST_ENV,
  GITHUB_EVENT_FILE,
  GITHUB_PULL_REQUEST_ENV,
  GITLAB_MERGE_REQUEST_ENV,
  JENKINS_CHANGE_ENV,
} from './ci-pull-requests';

const workDir = mkdtempSync(join(tmpdir(), 'collected-documents-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const prInfo13 = ajv.compile(JSON.parse(readFileSync(join(CI_CONTEXT_FIXTURES, 'pr-info-1.3.schema.json'), 'utf8')));

/**
 * The part of Chainloop's runner-context-response-0.1 schema (internal/schemavalidators/.../runnercontext) the
 * runner context uses, transcribed with its required fields and `additionalProperties: false` at every level: a field
 * Chainloop does not define, or one in the wrong place, fails.
 */
const runnerContext01 = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['meta', 'data'],
  properties: {
    meta: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        id: { type: 'string' },
        generated_at: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['tool', 'provider'],
      properties: {
        tool: { type: 'string' },
        provider: { type: 'string' },
        repos: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['repository'],
            properties: {
              owner: { type: 'string' },
              repository: { type: 'string' },
              branches: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name'],
                  properties: { name: { type: 'string' }, commits: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
    },
  },
});

/** Go's encoder writes a prinfo.Data in its struct order; author and reviewers only when set (omitempty). */
const PR_INFO_KEYS = ['platform', 'type', 'number', 'title', 'description', 'source_branch', 'target_branch', 'url'];

async function evidenceOf(runner: Runner, env: NodeJS.ProcessEnv): Promise<PrInfoEvidence> {
  const detection = await detectPullRequest(runner, env);
  assert.ok(detection.found && detection.data, `a pull request in ${runner.displayName}'s environment`);
  // Through JSON, as the material file holds it.
  const evidence = JSON.parse(JSON.stringify(prInfoEvidence(detection.data))) as PrInfoEvidence;
  assert.deepEqual(Object.keys(evidence), ['chainloop.material.evidence.id', 'schema', 'data']);
  assert.equal(evidence['chainloop.material.evidence.id'], 'CHAINLOOP_PR_INFO');
  assert.equal(evidence.schema, 'https://schemas.chainloop.dev/prinfo/1.3/pr-info.schema.json');
  assert.ok(prInfo13(evidence.data), JSON.stringify(prInfo13.errors));
  return evidence;
}

describe('CHAINLOOP_PR_INFO from each CI', { timeout: 30_000 }, () => {
  test('GitHub pull_request: the event payload, the branches from GITHUB_HEAD_REF / GITHUB_BASE_REF', async () => {
    const { data } = await evidenceOf(githubActions, GITHUB_PULL_REQUEST_ENV);
    assert.deepEqual(Object.keys(data), [...PR_INFO_KEYS, 'author', 'reviewers']);
    assert.deepEqual(data, {
      platform: 'github',
      type: 'pull_request',
      number: '1347',
      title: 'Throttle the second stage ignition <fix>',
      description:
        'Fixes #1290.\r\n\r\nThe second stage now waits for the pressure check.\r\n- [x] tests\r\n- [ ] docs',
      source_branch: 'fix/stage-two-throttle',
      target_branch: 'main',
      url: 'https://github.com/acme/rocket/pull/1347',
      author: { login: 'sarah-connor', type: 'User' },
      reviewers: [
        { login: 'kyle-reese', type: 'User', requested: true },
        { login: 'copilot-pull-request-reviewer[bot]', type: 'Bot', requested: true },
      ],
    });
    assert.equal(prInfoMaterialName(data.number), 'pr-metadata-1347');
  });

  test('GitHub pull_request_target, a PR without body or reviewers, branches from the payload', async () => {
    const event = JSON.parse(readFileSync(GITHUB_EVENT_FILE, 'utf8'));
    event.pull_request.body = null;
    event.pull_request.requested_reviewers = [];
    event.pull_request.user = { login: 'dependabot[bot]', type: 'Bot' };
    const path = join(workDir, 'target-event.json');
    writeFileSync(path, JSON.stringify(event));
    const env = {
      ...GITHUB_PULL_REQUEST_ENV,
      GITHUB_EVENT_NAME: 'pull_request_target',
      GITHUB_EVENT_PATH: path,
      GITHUB_HEAD_REF: '',
      GITHUB_BASE_REF: '',
    };
    const { data } = await evidenceOf(githubActions, env);
    assert.deepEqual(Object.keys(data), [...PR_INFO_KEYS, 'author']);
    assert.equal(data.description, '');
    assert.equal(data.source_branch, 'fix/stage-two-throttle');
    assert.equal(data.target_branch, 'main');
    assert.deepEqual(data.author, { login: 'dependabot[bot]', type: 'Bot' });
  });

  test('GitLab merge request pipeline: the CI_MERGE_REQUEST_* variables', async () => {
    const { data } = await evidenceOf(gitlabCi, GITLAB_MERGE_REQUEST_ENV);
    assert.deepEqual(Object.keys(data), [...PR_INFO_KEYS, 'author']);
    assert.deepEqual(data, {
      platform: 'gitlab',
      type: 'merge_request',
      number: '88',
      title: 'Draft: Throttle the second stage ignition',
      description: 'Closes #80\n\nThe second stage now waits for the pressure check.',
      source_branch: 'fix/stage-two-throttle',
      target_branch: 'main',
      url: 'https://gitlab.com/acme/rocket/-/merge_requests/88',
      author: { login: 'sarah.connor', type: 'unknown' },
    });
    assert.equal(prInfoMaterialName(data.number), 'pr-metadata-88');
  });

  test('CircleCI: CIRCLE_PULL_REQUEST names the GitHub PR; no title or target branch to tell', async () => {
    const { data } = await evidenceOf(circleci, CIRCLECI_PULL_REQUEST_ENV);
    assert.deepEqual(data, {
      platform: 'github',
      type: 'pull_request',
      number: '1347',
      title: '',
      description: '',
      source_branch: 'fix/stage-two-throttle',
      target_branch: '',
      url: 'https://github.com/acme/rocket/pull/1347',
      author: { login: 'sarah-connor', type: 'unknown' },
    });
  });

  test('Jenkins multibranch: the CHANGE_* variables; a GitLab MR change is a merge_request', async () => {
    const { data } = await evidenceOf(jenkins, JENKINS_CHANGE_ENV);
    assert.deepEqual(data, {
      platform: 'github',
      type: 'pull_request',
      number: '1347',
      title: 'Throttle the second stage ignition <fix>',
      description: '',
      source_branch: 'fix/stage-two-throttle',
      target_branch: 'main',
      url: 'https://github.com/acme/rocket/pull/1347',
      author: { login: 'sarah-connor', type: 'unknown' },
    });
    const gitlab = await evidenceOf(jenkins, {
      ...JENKINS_CHANGE_ENV,
      CHANGE_ID: '88',
      CHANGE_URL: 'https://gitlab.example.com/acme/rocket/-/merge_requests/88',
    });
    assert.equal(gitlab.data.platform, 'gitlab');
    assert.equal(gitlab.data.type, 'merge_request');
    assert.equal(gitlab.data.number, '88');
  });

  test('Dagger inside a GitHub job reads the GitHub payload', async () => {
    const { data } = await evidenceOf(dagger, { ...GITHUB_PULL_REQUEST_ENV, CHAINLOOP_DAGGER_CLIENT: 'v0.1' });
    assert.equal(data.url, 'https://github.com/acme/rocket/pull/1347');
  });

  test('runs that build no pull request find none', async () => {
    const cases: Array<[Runner, NodeJS.ProcessEnv]> = [
      [githubActions, GITHUB_ACTIONS_ENV],
      [githubActions, { ...GITHUB_PULL_REQUEST_ENV, GITHUB_EVENT_NAME: 'push' }],
      [gitlabCi, GITLAB_CI_ENV],
      [gitlabCi, { ...GITLAB_MERGE_REQUEST_ENV, CI_PIPELINE_SOURCE: 'push' }],
      [circleci, { ...CIRCLECI_PULL_REQUEST_ENV, CIRCLE_PULL_REQUEST: '', CIRCLE_PULL_REQUESTS: '' }],
      [jenkins, { ...JENKINS_CHANGE_ENV, CHANGE_ID: '' }],
      [generic, GITHUB_PULL_REQUEST_ENV],
    ];
    for (const [runner, env] of cases) {
      assert.deepEqual(await detectPullRequest(runner, env), { found: false }, runner.displayName);
    }
  });

  test('a pull request PR-info 1.3 cannot describe (Bitbucket) is found without data', async () => {
    const detection = await detectPullRequest(jenkins, {
      ...JENKINS_CHANGE_ENV,
      CHANGE_URL: 'https://bitbucket.org/acme/rocket/pull-requests/12',
    });
    assert.equal(detection.found, true);
    assert.equal(detection.data, undefined);
  });

  test('a pull_request event whose payload cannot be read is an error naming the file', async () => {
    const missing = join(workDir, 'no-such-event.json');
    await assert.rejects(detectPullRequest(githubActions, { ...GITHUB_PULL_REQUEST_ENV, GITHUB_EVENT_PATH: missing }), {
      code: 'PR_INFO_UNAVAILABLE',
      message: new RegExp(`event payload ${missing} cannot be read`),
    });
  });
});

describe('CHAINLOOP_RUNNER_CONTEXT from each CI', { timeout: 30_000 }, () => {
  const now = new Date('2024-05-02T10:15:00.123Z');
  const tool = 'chainloop-ts@0.1.0';
  const meta = (provider: string) => ({
    id: 'chainloop.dev/runner-context/v0.1',
    generated_at: '2024-05-02T10:15:00Z',
    errors: [
      {
        code: 'RULES_NOT_COLLECTED',
        message: `branch protection rules and repository users are read from ${provider}'s API, which init does not call`,
      },
    ],
  });
  const cases: Array<[string, Runner, NodeJS.ProcessEnv, unknown]> = [
    [
      'GitHub pull_request',
      githubActions,
      GITHUB_PULL_REQUEST_ENV,
      {
        meta: meta('github'),
        data: {
          tool,
          provider: 'github',
          repos: [
            {
              owner: 'acme',
              repository: 'rocket',
              branches: [{ name: 'fix/stage-two-throttle', commits: ['3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b'] }],
            },
          ],
        },
      },
    ],
    [
      'GitHub push to main',
      githubActions,
      GITHUB_ACTIONS_ENV,
      {
        meta: meta('github'),
        data: {
          tool,
          provider: 'github',
          repos: [
            {
              owner: 'chainloop',
              repository: 'chainloop',
              branches: [{ name: 'main', commits: ['1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c'] }],
            },
          ],
        },
      },
    ],
    [
      // Chainloop's GitLab documents name the repository by project id, without an owner.
      'GitLab merge request pipeline',
      gitlabCi,
      GITLAB_MERGE_REQUEST_ENV,
      {
        meta: meta('gitlab'),
        data: {
          tool,
          provider: 'gitlab',
          repos: [
            {
              repository: '69340413',
              branches: [{ name: 'fix/stage-two-throttle', commits: ['9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'] }],
            },
          ],
        },
      },
    ],
    [
      'CircleCI pull request',
      circleci,
      CIRCLECI_PULL_REQUEST_ENV,
      {
        meta: meta('github'),
        data: {
          tool,
          provider: 'github',
          repos: [
            {
              owner: 'acme',
              repository: 'rocket',
              branches: [{ name: 'fix/stage-two-throttle', commits: ['9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'] }],
            },
          ],
        },
      },
    ],
    [
      'Jenkins multibranch change',
      jenkins,
      JENKINS_CHANGE_ENV,
      {
        meta: meta('github'),
        data: {
          tool,
          provider: 'github',
          repos: [
            {
              owner: 'acme',
              repository: 'rocket',
              branches: [{ name: 'fix/stage-two-throttle', commits: ['3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b'] }],
            },
          ],
        },
      },
    ],
  ];
  for (const [name, runner, env, expected] of cases) {
    test(name, () => {
      const document: object = JSON.parse(JSON.stringify(runnerContextDocument(runner, env, { tool, now })));
      assert.deepEqual(document, expected);
      assert.deepEqual(Object.keys(document), ['meta', 'data']);
      assert.ok(runnerContext01(document), JSON.stringify(runnerContext01.errors));
    });
  }
});
