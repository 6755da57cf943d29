/**
 * What the browser tests look at: a real control plane holding runs crafted by the bundled CLI in simulated GitHub
 * Actions jobs, one of each kind a person meets — succeeded and signed with a registered key, succeeded keyless,
 * failed, cancelled, expired, a stored bundle tampered with afterwards, and one signed by a key the workflow never
 * registered — plus a busy workflow with enough runs to paginate.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { baseEnv, runCli } from '../../support/cli';
import { createWorkflowWithRobot, startControlPlane, type TestControlPlane } from '../../support/control-plane';
import { githubActionsEnv, signingKey, signingPassword, signingPublicKey } from '../../support/crafting';
import { JOB_CONTRACT } from '../../support/crafting-job';
import { vectors } from '../../support/paths';

/** The release workflow's contract: the crafting job's (a file uploaded to the CAS and a string). */
export const RELEASE_CONTRACT = JOB_CONTRACT;
/**
 * Revision 3 of the release contract, the one the runs are crafted with: a comment (so the diff has a line to show)
 * and an advisory policy the hostile build-ref violates, with the value in its message (the run detail lists it).
 */
export const RELEASE_CONTRACT_V3 = `${RELEASE_CONTRACT}  # release notes are attested from 1.5 on
policies:
  materials:
    - selector:
        name: build-ref
      embedded:
        apiVersion: chainloop.dev/v1
        kind: Policy
        metadata:
          name: release-tag
        spec:
          policies:
            - kind: STRING
              cel:
                rules:
                  - expression: input.value.startsWith("v")
                    messageExpression: '"not a release tag: " + input.value'
`;

/** Values a CI job controls, written to run script if a page ever rendered them as HTML. */
export const HOSTILE_VALUE = '<script>alert("value")</script><img src=x onerror=alert("value")>';
export const HOSTILE_MATERIAL_ANNOTATION = '<img src=x onerror=alert("material-annotation")>';
export const HOSTILE_ANNOTATION = '<script>alert("annotation")</script>';
export const HOSTILE_REASON = 'unit tests failed: <img src=x onerror=alert("reason")>';
/** What the release-tag policy says of the hostile build-ref. */
export const RELEASE_TAG_VIOLATION = `not a release tag: ${HOSTILE_VALUE}`;
export const ROOTFS_BYTES = 'rootfs of release 1.4\n';
/** The key-signed run's --project-version: the release a person looks for. */
export const RELEASE_VERSION = '1.4';

export const unregisteredKey = join(vectors, 'keys', 'sigstore-rs__ECDSA_P256_ASN1_ENCRYPTED_PRIVATE_PEM.key');
export const unregisteredKeyPassword = 'password';

/** Initialized runs are expired after this long: short, so the expired run exists within the test. */
const RUN_EXPIRY = '20s';
export const BUSY_RUNS = 120;

export interface Scenario {
  cp: TestControlPlane;
  release: { id: string; robotToken: string };
  nightly: { id: string };
  busy: { id: string };
  runs: {
    keySigned: string;
    keyless: string;
    tampered: string;
    failed: string;
    cancelled: string;
    expired: string;
    unregisteredKey: string;
  };
  /** The workflow key registered for release (the signing key's public half). */
  releaseKeyName: string;
  stop(): Promise<void>;
}

interface Job {
  cli(
    args: string[],
    extra?: Record<string, string>,
  ): Promise<{ status: number | null; stdout: string; stderr: string }>;
  runId(): string;
}

function job(cp: TestControlPlane, robotToken: string, parent: string, name: string): Job {
  const cwd = mkdtempSync(join(parent, `${name}-`));
  writeFileSync(join(cwd, 'rootfs.tar.gz'), ROOTFS_BYTES);
  const env = baseEnv({
    ...githubActionsEnv(),
    GITHUB_RUN_ID: String(4_000_000 + Math.floor(Math.random() * 1_000_000)),
    CHAINLOOP_ROBOT_ACCOUNT: robotToken,
    CHAINLOOP_CONTROL_PLANE_API: cp.url,
    TMPDIR: cwd,
  });
  const cli = async (args: string[], extra: Record<string, string> = {}) => {
    const result = await runCli(args, { env: { ...env, ...extra }, cwd });
    assert.equal(result.status, 0, `chainloop ${args.join(' ')}: ${result.stderr}`);
    return result;
  };
  const runId = () => {
    const state = JSON.parse(readFileSync(join(cwd, 'chainloop-attestation.tmp.json'), 'utf8')) as {
      workflow: { runId: string };
    };
    return state.workflow.runId;
  };
  return { cli, runId };
}

/** init (with the project version, if any) and both materials, the string one hostile; returns the run id. */
async function craft(
  target: Job,
  options: { materialAnnotation?: boolean; projectVersion?: string } = {},
): Promise<string> {
  await target.cli([
    'attestation',
    'init',
    ...(options.projectVersion ? ['--project-version', options.projectVersion] : []),
  ]);
  await target.cli([
    'attestation',
    'add',
    '--name',
    'rootfs',
    '--value',
    'rootfs.tar.gz',
    ...(options.materialAnnotation ? ['--annotation', `note=${HOSTILE_MATERIAL_ANNOTATION}`] : []),
  ]);
  await target.cli(['attestation', 'add', '--name', 'build-ref', '--value', HOSTILE_VALUE]);
  return target.runId();
}

const withKey = (key: string, password: string) => ({
  args: ['--key', key],
  env: { CHAINLOOP_SIGNING_PASSWORD: password },
});

export async function startScenario(scratch: string): Promise<Scenario> {
  const cp = await startControlPlane({ args: ['--run-expiry', RUN_EXPIRY] });
  try {
    const admin = cp.admin();
    const release = await createWorkflowWithRobot(cp, {
      name: 'release',
      team: 'platform',
      project: 'skynet',
      contract: RELEASE_CONTRACT,
    });
    await admin.updateContract(release.workflowId, RELEASE_CONTRACT_V3);
    const releaseKeyName = 'release-signing';
    await admin.addWorkflowKey(release.workflowId, {
      publicKeyPem: readFileSync(signingPublicKey, 'utf8'),
      name: releaseKeyName,
    });
    const nightly = await createWorkflowWithRobot(cp, {
      name: 'nightly',
      team: 'platform',
      project: 'skynet',
      contract: RELEASE_CONTRACT,
    });
    const busy = await createWorkflowWithRobot(cp, {
      name: 'busy',
      team: 'platform',
      project: 'load',
      contract: 'schemaVersion: v1\n',
    });

    // First the run left to expire, so its clock starts before the others are crafted.
    const expiredJob = job(cp, release.robotToken, scratch, 'expired');
    await expiredJob.cli(['attestation', 'init']);
    const expired = expiredJob.runId();

    const key = withKey(signingKey, signingPassword);
    const [keySigned, keyless, tampered, failed, cancelled, unregistered] = await Promise.all([
      (async () => {
        const target = job(cp, release.robotToken, scratch, 'key-signed');
        const id = await craft(target, { materialAnnotation: true, projectVersion: RELEASE_VERSION });
        await target.cli(
          ['attestation', 'push', ...key.args, '--annotation', `reviewer=${HOSTILE_ANNOTATION}`],
          key.env,
        );
        return id;
      })(),
      (async () => {
        const target = job(cp, release.robotToken, scratch, 'keyless');
        const id = await craft(target, { projectVersion: '1.3' });
        await target.cli(['attestation', 'push']);
        return id;
      })(),
      (async () => {
        const target = job(cp, release.robotToken, scratch, 'tampered');
        const id = await craft(target);
        await target.cli(['attestation', 'push', ...key.args], key.env);
        return id;
      })(),
      (async () => {
        const target = job(cp, release.robotToken, scratch, 'failed');
        const id = await craft(target);
        await target.cli(['attestation', 'reset', '--trigger', 'failure', '--reason', HOSTILE_REASON]);
        return id;
      })(),
      (async () => {
        const target = job(cp, release.robotToken, scratch, 'cancelled');
        await target.cli(['attestation', 'init']);
        const id = target.runId();
        await target.cli([
          'attestation',
          'reset',
          '--trigger',
          'cancellation',
          '--reason',
          'superseded by a newer pipeline',
        ]);
        return id;
      })(),
      (async () => {
        // nightly has no key yet, so the push is accepted; the key registered afterwards is not the signer's.
        const target = job(cp, nightly.robotToken, scratch, 'nightly');
        const id = await craft(target);
        const other = withKey(unregisteredKey, unregisteredKeyPassword);
        await target.cli(['attestation', 'push', ...other.args], other.env);
        return id;
      })(),
    ]);
    await admin.addWorkflowKey(nightly.workflowId, {
      publicKeyPem: readFileSync(signingPublicKey, 'utf8'),
      name: 'nightly-signing',
    });

    // Many runs of one workflow, opened as CI jobs' init does and failed, to paginate.
    for (let start = 0; start < BUSY_RUNS; start += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, BUSY_RUNS - start) }, async () => {
          const opened = await fetch(`${cp.url}/v1/crafting/runs`, {
            method: 'POST',
            headers: { authorization: `Bearer ${busy.robotToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ contractRevision: 1, runnerType: 'JENKINS_JOB' }),
          });
          const body = await opened.text();
          assert.equal(opened.status, 201, body);
          // Finished at once, as a failed CI job resets it: initialized runs would expire under RUN_EXPIRY.
          const { id } = JSON.parse(body) as { id: string };
          const reset = await fetch(`${cp.url}/v1/runs/${id}/reset`, {
            method: 'POST',
            headers: { authorization: `Bearer ${busy.robotToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ trigger: 'failure', reason: 'flaky integration test' }),
          });
          assert.equal(reset.status, 200, await reset.text());
        }),
      );
    }

    tamperSignature(cp, tampered);
    await waitForStatus(cp, expired, 'expired', 90_000);
    return {
      cp,
      release: { id: release.workflowId, robotToken: release.robotToken },
      nightly: { id: nightly.workflowId },
      busy: { id: busy.workflowId },
      runs: { keySigned, keyless, tampered, failed, cancelled, expired, unregisteredKey: unregistered },
      releaseKeyName,
      stop: () => cp.stop(),
    };
  } catch (error) {
    await cp.stop();
    throw error;
  }
}

/** Flips one byte of the stored bundle's DSSE signature, in the control plane's own database, as an attacker with disk access would. */
function tamperSignature(cp: TestControlPlane, runId: string): void {
  const db = new Database(join(cp.dataDir, 'control-plane.db'));
  try {
    const row = db
      .prepare(
        'SELECT a.digest, a.bundle FROM attestations a JOIN workflow_runs r ON r.attestation_digest = a.digest WHERE r.id = ?',
      )
      .get(runId) as { digest: string; bundle: string } | undefined;
    assert.ok(row, `run ${runId} has a stored attestation`);
    const bundle = JSON.parse(row.bundle) as { dsseEnvelope: { signatures: Array<{ sig: string }> } };
    const signature = Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64');
    signature[signature.length - 1] ^= 0x01;
    bundle.dsseEnvelope.signatures[0].sig = signature.toString('base64');
    db.prepare('UPDATE attestations SET bundle = ? WHERE digest = ?').run(JSON.stringify(bundle), row.digest);
  } finally {
    db.close();
  }
}

async function waitForStatus(cp: TestControlPlane, runId: string, status: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await cp.admin().getRun(runId);
    if (run.status === status) return;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} is still ${run.status} after ${timeoutMs} ms, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
