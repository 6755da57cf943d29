/**
 * The seed's flow with policies, as a platform team and a CI job would play it: against a real control plane process
 * and the bundled CLI, the team stores its own policy (`chainloop policy create`) and attaches it as a gate to the
 * seed contract's SBOM, next to built-in ones (an advisory registry rule on the image, a licence deny list, the runner
 * check at push). The job's first SBOM is too thin: `push` is refused with the violations (exit 4), nothing is stored
 * and the state is kept; the job adds a complete SBOM and pushes again, and the stored, verified statement records
 * every evaluation, the advisory violation included, with Chainloop's field names.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { baseEnv, type CliResult, runCli } from '../support/cli';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import {
  githubActionsEnv,
  seedContract,
  seedWorkspace,
  signingKey,
  signingPassword,
  signingPublicKey,
} from '../support/crafting';
import { vectors } from '../support/paths';
import { type SeedImage, startSeedImage } from '../support/registry';

/** The platform team's own policy, stored in the control plane and referenced by name. */
const SBOM_COMPLETE = `apiVersion: chainloop.dev/v1
kind: Policy
metadata:
  name: sbom-complete
  description: The SBOM lists the whole image, not just the application
spec:
  inputs:
    - name: min_components
      default: "100"
  policies:
    - kind: SBOM_CYCLONEDX_JSON
      cel:
        rules:
          - name: enough-components
            expression: size(input.components) >= int(args.min_components)
            messageExpression: >-
              "the SBOM lists " + string(size(input.components)) + " components, fewer than " + args.min_components
`;

/** The seed contract plus its policies: the stored gate on the SBOM, built-ins advisory. */
const CONTRACT = `${seedContract}policies:
  materials:
    - ref: sbom-complete
      selector:
        name: skynet-sbom
      gate: true
    - ref: builtin://sbom-banned-licenses
      with:
        licenses: GPL-3.0-only, AGPL-3.0-only
    - ref: builtin://image-allowed-registry
      with:
        registries: registry.cyberdyne.example
  attestation:
    - ref: builtin://runner-allowed
      with:
        runners: GITHUB_ACTION
      gate: true
`;

const THIN_SBOM = join(vectors, 'materials', 'sbom.cyclonedx-1.5-multiple-tools.json');

type Evaluation = {
  name: string;
  materialName?: string;
  gate: boolean;
  skipped: boolean;
  violations?: Array<{ subject: string; message: string }>;
  policyReference: { name: string; uri: string; digest: { sha256: string } };
};

const TIMEOUT = { timeout: 240_000 };

let cp: TestControlPlane;
let image: SeedImage;
let robotToken: string;
const scratch = mkdtempSync(join(tmpdir(), 'policies-e2e-'));
const adminEnv = () => baseEnv({ CHAINLOOP_TOKEN: cp.adminToken, CHAINLOOP_CONTROL_PLANE_API: cp.url });

function ok(result: CliResult, what: string): CliResult {
  assert.equal(result.status, 0, `${what}: ${result.stderr}`);
  return result;
}

function levelLines(result: CliResult, level: 'ERR' | 'WRN' | 'INF'): string[] {
  return result.stderr.split('\n').filter((line) => line.startsWith(`${level} `));
}

before(async () => {
  cp = await startControlPlane();
  image = await startSeedImage();
  const policyFile = join(scratch, 'sbom-complete.yaml');
  writeFileSync(policyFile, SBOM_COMPLETE);
  const stored = ok(
    await runCli(['policy', 'create', '-f', policyFile, '-o', 'json'], { env: adminEnv() }),
    'policy create',
  );
  assert.equal(JSON.parse(stored.stdout).revision, 1);

  ok(
    await runCli(
      ['workflow', 'create', '--name', 'build-and-test', '--team', 'cyberdyne core', '--project', 'skynet'],
      {
        env: adminEnv(),
      },
    ),
    'workflow create',
  );
  const contractFile = join(scratch, 'contract.yaml');
  writeFileSync(contractFile, CONTRACT);
  ok(
    await runCli(['workflow', 'contract', 'update', '--workflow', 'build-and-test', '--file', contractFile], {
      env: adminEnv(),
    }),
    'contract update',
  );
  const robot = ok(
    await runCli(['workflow', 'robot-account', 'create', '--workflow', 'build-and-test', '-o', 'json'], {
      env: adminEnv(),
    }),
    'robot-account create',
  );
  robotToken = JSON.parse(robot.stdout).token;
});

after(async () => {
  await cp?.stop();
  await image?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the seed flow with policies', TIMEOUT, () => {
  test('a bad CEL rule in a contract is refused at upload, naming where it is', TIMEOUT, async () => {
    const broken = CONTRACT.replace(
      '    - ref: builtin://sbom-banned-licenses',
      `    - embedded:
        apiVersion: chainloop.dev/v1
        kind: Policy
        metadata:
          name: broken
        spec:
          policies:
            - kind: STRING
              cel:
                rules:
                  - expression: input.value ==
                    message: never shown
    - ref: builtin://sbom-banned-licenses`,
    );
    const file = join(scratch, 'broken.yaml');
    writeFileSync(file, broken);
    const refused = await runCli(['workflow', 'contract', 'update', '--workflow', 'build-and-test', '--file', file], {
      env: adminEnv(),
    });
    assert.notEqual(refused.status, 0);
    const errors = levelLines(refused, 'ERR');
    assert.equal(errors.length, 1, refused.stderr);
    assert.match(
      errors[0],
      /^ERR invalid contract: policies\.materials\[1\]\.embedded\.spec\.policies\[0\]\.cel\.rules\[0\]\.expression: not valid CEL/,
    );
    const latest = ok(
      await runCli(['workflow', 'contract', 'describe', '--workflow', 'build-and-test', '-o', 'json'], {
        env: adminEnv(),
      }),
      'contract describe',
    );
    assert.equal(JSON.parse(latest.stdout).revision, 2, 'the refused contract made no revision');
  });

  test(
    'a gated violation refuses the push; fixed, it pushes and the statement records every evaluation',
    TIMEOUT,
    async () => {
      const cwd = seedWorkspace({ git: true });
      copyFileSync(THIN_SBOM, join(cwd, 'thin.cyclonedx.json'));
      const env = baseEnv({
        ...githubActionsEnv(),
        CHAINLOOP_ROBOT_ACCOUNT: robotToken,
        CHAINLOOP_CONTROL_PLANE_API: cp.url,
        TMPDIR: cwd,
      });
      const signingEnv = {
        ...env,
        CHAINLOOP_SIGNING_KEY: readFileSync(signingKey, 'utf8'),
        CHAINLOOP_SIGNING_PASSWORD: signingPassword,
      };
      const cli = (args: string[], extra: NodeJS.ProcessEnv = env) => runCli(args, { env: extra, cwd });
      const statePath = join(cwd, 'chainloop-attestation.tmp.json');
      try {
        const init = ok(await cli(['attestation', 'init', '-o', 'json']), 'init');
        const runId: string = JSON.parse(init.stdout).workflowMeta.workflowRunID;

        const addedImage = ok(
          await cli(['attestation', 'add', '--name', 'skynet-control-plane', '--value', image.reference]),
          'add image',
        );
        const registry = image.repository.split('/')[0];
        assert.deepEqual(levelLines(addedImage, 'WRN'), [
          `WRN policy image-allowed-registry: 1 violation: image ${image.repository} comes from ${registry}, not from an allowed registry (registry.cyberdyne.example) (material "skynet-control-plane")`,
        ]);
        ok(await cli(['attestation', 'add', '--name', 'rootfs', '--value', 'rootfs.tar.gz']), 'add rootfs');
        ok(await cli(['attestation', 'add', '--name', 'build-ref', '--value', env.GITHUB_SHA ?? '']), 'add build-ref');
        const thin = ok(
          await cli(['attestation', 'add', '--name', 'skynet-sbom', '--value', 'thin.cyclonedx.json']),
          'add thin SBOM',
        );
        assert.ok(
          levelLines(thin, 'WRN').includes(
            'WRN policy sbom-complete [gate]: 1 violation: the SBOM lists 1 components, fewer than 100 (material "skynet-sbom")',
          ),
          thin.stderr,
        );

        const stateBefore = readFileSync(statePath, 'utf8');
        const refused = await cli(['attestation', 'push', '--key', 'env://CHAINLOOP_SIGNING_KEY'], signingEnv);
        assert.equal(refused.status, 4, `the gate must refuse the push:\n${refused.stderr}`);
        const [error, ...more] = levelLines(refused, 'ERR');
        assert.deepEqual(more, [], refused.stderr);
        assert.match(
          error,
          /policy "sbom-complete" on material "skynet-sbom" \(the SBOM lists 1 components, fewer than 100\)/,
        );
        assert.doesNotMatch(error, /image-allowed-registry/, 'advisory policies do not block');
        assert.equal(readFileSync(statePath, 'utf8'), stateBefore, 'the state is kept for the fix');
        assert.equal((await cp.admin().getRun(runId)).status, 'initialized', 'nothing stored');

        const fixed = ok(
          await cli(['attestation', 'add', '--name', 'skynet-sbom', '--value', 'sbom.cyclonedx.json']),
          'add complete SBOM',
        );
        assert.ok(
          levelLines(fixed, 'INF').includes('INF policy sbom-complete [gate]: passed (material "skynet-sbom")'),
        );
        const pushed = ok(
          await cli(
            ['attestation', 'push', '--key', 'env://CHAINLOOP_SIGNING_KEY', '--bundle', 'attestation.bundle.json'],
            signingEnv,
          ),
          'push after the fix',
        );
        assert.match(pushed.stderr, /INF Attestation pushed!/);
        assert.equal(existsSync(statePath), false);
        assert.equal((await cp.admin().getRun(runId)).status, 'succeeded');

        // What anyone can check later: the stored bundle verifies, and its statement carries the evaluations.
        const stored = await cp.admin().getAttestation(runId);
        const storedFile = join(cwd, 'stored.bundle.json');
        writeFileSync(storedFile, stored.bundle);
        ok(await cli(['attestation', 'verify', storedFile, '--key', signingPublicKey]), 'verify');
        const statement = JSON.parse(
          Buffer.from(JSON.parse(stored.bundle).dsseEnvelope.payload, 'base64').toString('utf8'),
        );
        const predicate = statement.predicate as Record<string, unknown> & {
          policyEvaluations: Record<string, Evaluation[]>;
        };
        const byMaterial = Object.fromEntries(
          Object.entries(predicate.policyEvaluations).map(([material, list]) => [material, list.map((e) => e.name)]),
        );
        assert.deepEqual(byMaterial, {
          'skynet-control-plane': ['image-allowed-registry'],
          'skynet-sbom': ['sbom-complete', 'sbom-banned-licenses'],
          'CHAINLOOP.ATTESTATION': ['runner-allowed'],
        });
        const [sbomComplete, banned] = predicate.policyEvaluations['skynet-sbom'];
        assert.equal(sbomComplete.gate, true);
        assert.equal(sbomComplete.violations, undefined, 'the thin SBOM evaluation was replaced by the fixed one');
        assert.equal(sbomComplete.policyReference.uri, 'chainloop://sbom-complete@1');
        assert.equal(
          sbomComplete.policyReference.digest.sha256,
          createHash('sha256').update(SBOM_COMPLETE).digest('hex'),
          'the reference pins the stored bytes',
        );
        assert.equal(banned.violations, undefined);
        const [registryCheck] = predicate.policyEvaluations['skynet-control-plane'];
        assert.equal(registryCheck.gate, false);
        assert.equal(registryCheck.violations?.length, 1);
        assert.equal(predicate.policyEvaluations['CHAINLOOP.ATTESTATION'][0].violations, undefined);
        assert.equal(predicate.policyHasViolations, true);
        assert.equal(predicate.policyHasGatedViolations, false);
        assert.equal(predicate.policyCheckBlockingStrategy, 'ADVISORY');
        assert.equal(predicate.policyBlockBypassEnabled, false);
        assert.equal(predicate.policyAttBlocked, false);
        assert.equal(predicate.policyEvaluationsCount, 4);
        assert.equal(predicate.policyViolationsCount, 1);

        // The control plane shows what the statement says.
        const described = ok(
          await runCli(['workflow', 'run', 'describe', '--id', runId], { env: adminEnv() }),
          'run describe',
        );
        assert.match(described.stdout, /Policy evaluations/);
        assert.match(described.stdout, /image-allowed-registry/);
        assert.match(described.stdout, /not from an allowed registry/);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
});
