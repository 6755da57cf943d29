import '../hang-guard';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import { PREDICATE_TYPE, type ResourceDescriptor, renderStatement, STATEMENT_TYPE } from '../../src/crafter/render';
import type { CraftedMaterial } from '../../src/crafter/state';
import { seedState } from './state-fixture';

const common = {
  annotations: {},
  uploadedToCas: false,
  output: false,
  required: true,
  contractFree: false,
  addedAt: '2022-11-02T10:05:00Z',
};
const materials: Record<string, CraftedMaterial> = {
  rootfs: {
    ...common,
    name: 'rootfs',
    kind: 'ARTIFACT',
    fileName: 'rootfs.tar.gz',
    digest: 'sha256:f8a581d4bce57f792444b2230b5706a6f902fbac19a374e76f6a56f030d35cf2',
    uploadedToCas: true,
    annotations: { 'chainloop.material.size': '7' },
  },
  'build-ref': {
    ...common,
    name: 'build-ref',
    kind: 'STRING',
    value: '80e461e9b385c6986cdb8096c9dc99928943d667',
    digest: 'sha256:5e6e6e0e1d9c3d0c7d2f8f2f3f8f4b3e5a9f1e2d3c4b5a697887766554433221',
  },
  'skynet-control-plane': {
    ...common,
    name: 'skynet-control-plane',
    kind: 'CONTAINER_IMAGE',
    image: { name: '127.0.0.1:5000/skynet-control-plane', tag: 'v0.7.6' },
    digest: 'sha256:963237021c5fd0d31741a9b873e1e8af08c76459cf30e34332925510e0cb3731',
    output: true,
  },
};

test('the statement is in-toto v1 with the chainloop v0.2 predicate and materials sorted by name', () => {
  const statement = renderStatement(seedState({ materials }), {
    finishedAt: new Date('2022-11-02T10:10:00Z'),
    annotations: {},
  });
  assert.equal(statement._type, STATEMENT_TYPE);
  assert.equal(statement.predicateType, PREDICATE_TYPE);
  const rendered = statement.predicate.materials as Array<{ name?: string; annotations: Record<string, unknown> }>;
  assert.deepEqual(
    rendered.map((m) => m.annotations['chainloop.material.name']),
    ['build-ref', 'rootfs', 'skynet-control-plane'],
  );
  const metadata = statement.predicate.metadata as Record<string, string>;
  assert.equal(metadata.workflowName, 'build-and-test');
  assert.equal(metadata.team, 'cyberdyne core');
  assert.equal(metadata.contractVersion, '2');
  assert.equal(metadata.finishedAt, '2022-11-02T10:10:00.000Z');
});

test('a STRING material carries its value as base64 content, a file its name and the CAS flag', () => {
  const statement = renderStatement(seedState({ materials }), { finishedAt: new Date(), annotations: {} });
  const [buildRef, rootfs, image] = statement.predicate.materials as ResourceDescriptor[];
  assert.equal(Buffer.from(buildRef.content ?? '', 'base64').toString(), '80e461e9b385c6986cdb8096c9dc99928943d667');
  assert.equal(buildRef.name, undefined);
  assert.equal(rootfs.name, 'rootfs.tar.gz');
  assert.equal(rootfs.annotations?.['chainloop.material.cas'], true);
  assert.equal(rootfs.annotations?.['chainloop.material.type'], 'ARTIFACT');
  assert.equal(image.name, '127.0.0.1:5000/skynet-control-plane');
  assert.equal(image.annotations?.['chainloop.material.image.tag'], 'v0.7.6');
});

test('subjects: the workflow (sha256 of the canonical predicate), git head, then output materials', () => {
  const head = {
    hash: 'a206e709cc21b1bf8e262604a23f9d0fc51a293a',
    authorName: 'Dev',
    authorEmail: 'dev@example.com',
    message: 'release',
    date: '2022-11-02T10:00:00Z',
    remotes: [{ name: 'origin', url: 'https://example.com/skynet.git' }],
  };
  const statement = renderStatement(seedState({ materials, head }), { finishedAt: new Date(), annotations: {} });
  const [workflow, git, image] = statement.subject;
  assert.equal(workflow.name, 'chainloop.workflow.build-and-test');
  const expected = createHash('sha256')
    .update(canonicalize(statement.predicate) ?? '')
    .digest('hex');
  assert.equal(workflow.digest.sha256, expected);
  assert.equal(git.name, 'git.head');
  assert.deepEqual(git.digest, { sha1: head.hash });
  assert.deepEqual(git.annotations?.remotes, head.remotes);
  assert.equal(image.name, '127.0.0.1:5000/skynet-control-plane');
  assert.equal(image.digest.sha256, '963237021c5fd0d31741a9b873e1e8af08c76459cf30e34332925510e0cb3731');
  assert.equal(statement.subject.length, 3);
});

test('env: the runner context and the contract allow-list; empty maps are omitted', () => {
  const bare = renderStatement(seedState(), { finishedAt: new Date(), annotations: {} });
  assert.equal('env' in bare.predicate, false);
  assert.equal('annotations' in bare.predicate, false);
  const withEnv = renderStatement(
    seedState({
      envVars: { GITHUB_REF: 'refs/tags/v0.8.9' },
      runner: {
        type: 'GITHUB_ACTION',
        url: 'https://github.com/a/b/actions/runs/1',
        environment: 'unknown',
        variables: { GITHUB_SHA: 'abc' },
      },
    }),
    { finishedAt: new Date(), annotations: { release: 'v0.8.9' } },
  );
  assert.deepEqual(withEnv.predicate.env, { GITHUB_REF: 'refs/tags/v0.8.9', GITHUB_SHA: 'abc' });
  assert.equal(withEnv.predicate.runnerType, 'GITHUB_ACTION');
  assert.equal(withEnv.predicate.runnerURL, 'https://github.com/a/b/actions/runs/1');
  assert.deepEqual(withEnv.predicate.annotations, { release: 'v0.8.9' });
});

test('container images always carry is_latest_tag as a JSON boolean; metadata.projectVersion is always there', {
  timeout: 10_000,
}, () => {
  const latest: CraftedMaterial = {
    ...materials['skynet-control-plane'],
    name: 'latest-image',
    image: { name: '127.0.0.1:5000/skynet', tag: 'latest', hasLatestTag: true },
  };
  const statement = renderStatement(
    seedState({
      materials: { ...materials, 'latest-image': latest },
      workflow: { ...seedState().workflow, projectVersion: 'v0.150.0', contractName: 'skynet-build-and-test' },
    }),
    { finishedAt: new Date('2022-11-02T10:10:00Z'), annotations: {} },
  );
  const rendered = statement.predicate.materials as Array<{ annotations: Record<string, unknown> }>;
  const isLatest = (name: string) =>
    rendered.find((m) => m.annotations['chainloop.material.name'] === name)?.annotations[
      'chainloop.material.image.is_latest_tag'
    ];
  assert.equal(isLatest('latest-image'), true);
  assert.equal(isLatest('skynet-control-plane'), false, 'unknown is written as false, as Chainloop does');
  assert.equal(isLatest('rootfs'), undefined, 'only images');
  const metadata = statement.predicate.metadata as Record<string, unknown>;
  assert.equal(metadata.projectVersion, 'v0.150.0');
  assert.equal(metadata.contractName, 'skynet-build-and-test');
  const without = renderStatement(seedState(), { finishedAt: new Date(), annotations: {} });
  assert.equal((without.predicate.metadata as Record<string, unknown>).projectVersion, '');
});
