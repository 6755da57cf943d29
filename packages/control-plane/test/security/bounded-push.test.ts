/**
 * Bounded work per request: a push naming 200,000 digests is refused with one clear 400, and while the control
 * plane reads it (24 MB of JSON) every other request is still answered promptly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  type ControlPlaneProcess,
  call,
  removeDir,
  startControlPlaneProcess,
  workflowWithRobot,
} from '../helpers/control-plane-process';

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

function bundleWith(materialCount: number, marked = false): string {
  const materials = Array.from({ length: materialCount }, (_, i) => ({
    digest: { sha256: hex(`material ${i}`) },
    ...(marked ? { annotations: { 'chainloop.material.cas': true, 'chainloop.material.name': `m${i}` } } : {}),
  }));
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'chainloop.workflow.big', digest: { sha256: hex('subject') } }],
    predicateType: 'chainloop.dev/attestation/v0.2',
    predicate: { materials },
  };
  return JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'unregistered' } },
    dsseEnvelope: {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(statement)).toString('base64'),
      signatures: [{ keyid: '', sig: 'c2ln' }],
    },
  });
}

/**
 * Probes GET /healthz back to back from a separate process (so this test's own work does not count) until `done`
 * settles; resolves with the slowest answer in ms and the number of probes.
 */
async function probeWhile(url: string, done: Promise<unknown>): Promise<{ slowestMs: number; probes: number }> {
  const script = `
    const http = require('node:http');
    let slowest = 0, probes = 0, stop = false;
    process.stdin.on('data', () => { stop = true; });
    const once = () => {
      const started = process.hrtime.bigint();
      http.get(${JSON.stringify(`${url}/healthz`)}, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => {
          slowest = Math.max(slowest, Number(process.hrtime.bigint() - started) / 1e6);
          probes++;
          if (stop) process.stdout.write(JSON.stringify({ slowestMs: slowest, probes }), () => process.exit(0));
          else setTimeout(once, 5);
        });
      });
    };
    once();
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await done.catch(() => undefined);
  child.stdin.end('stop');
  await exited;
  return JSON.parse(output);
}

describe('security: bounded work per push', { timeout: 180_000 }, () => {
  let server: ControlPlaneProcess;
  let crafting: Awaited<ReturnType<typeof workflowWithRobot>>;

  before(async () => {
    server = await startControlPlaneProcess();
    crafting = await workflowWithRobot(server, 'big-pusher');
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  const push = async (bundle: string) => {
    const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
    const answer = await call(server, 'POST', `/v1/runs/${run.id}/attestation`, {
      token: crafting.token,
      json: { bundle },
    });
    return { run, answer };
  };

  test('200,000 digests (24 MB): 400 TOO_MANY_MATERIALS, other requests answered in under 100 ms meanwhile', async () => {
    const bundle = bundleWith(200_000);
    assert.ok(bundle.length > 20_000_000, `the bundle is ${bundle.length} bytes`);
    const pushed = push(bundle);
    const probe = await probeWhile(server.url, pushed);
    const { run, answer } = await pushed;
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.json().code, 'TOO_MANY_MATERIALS');
    assert.equal(
      answer.json().message,
      'attestation refused: its statement names 200000 materials, more than this control plane accepts (10000): split the attestation, or raise --max-materials on the control plane',
    );
    assert.equal((await crafting.robot.getRun(run.id)).status, 'initialized');
    assert.ok(probe.probes >= 5, `only ${probe.probes} probes ran during the push`);
    assert.ok(probe.slowestMs < 100, `a request waited ${probe.slowestMs.toFixed(0)} ms during the push`);
  });

  test('10,000 materials, the most accepted by default: stored, other requests still prompt', async () => {
    const pushed = push(bundleWith(10_000));
    const probe = await probeWhile(server.url, pushed);
    const { run, answer } = await pushed;
    assert.equal(answer.status, 201, answer.text);
    assert.equal((await crafting.robot.getRun(run.id)).status, 'succeeded');
    assert.ok(probe.slowestMs < 100, `a request waited ${probe.slowestMs.toFixed(0)} ms during the push`);
  });

  test('10,000 uploaded-material claims are checked in one go and refused naming the first one not uploaded', async () => {
    const { answer } = await push(bundleWith(10_000, true));
    assert.equal(answer.status, 400);
    assert.equal(answer.json().code, 'MATERIAL_NOT_UPLOADED');
    assert.match(answer.json().message, /^attestation refused: material "m0" /);
  });
});

describe('security: --max-materials', { timeout: 60_000 }, () => {
  test('sets the limit', async () => {
    const server = await startControlPlaneProcess({ args: ['--max-materials', '3'] });
    try {
      const crafting = await workflowWithRobot(server, 'small');
      const outcomes = [];
      for (const count of [3, 4]) {
        const run = await crafting.robot.createRun({ contractRevision: 2, runnerType: 'GITHUB_ACTION' });
        const answer = await call(server, 'POST', `/v1/runs/${run.id}/attestation`, {
          token: crafting.token,
          json: { bundle: bundleWith(count) },
        });
        outcomes.push([answer.status, answer.json().code]);
      }
      assert.deepEqual(outcomes, [
        [201, undefined],
        [400, 'TOO_MANY_MATERIALS'],
      ]);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});
