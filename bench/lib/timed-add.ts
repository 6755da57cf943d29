import { stat } from 'node:fs/promises';
import { forgetBlobAndSettle } from './cas-upload-floor';
import type { CliScenario } from './cli-scenario';
import { type BenchControlPlane, casBlobPath } from './control-plane';
import { cpuMs, peakRssKiB, resetPeakRss } from './peak-rss';

export interface AddRun {
  ms: number;
  cliRssKiB: number;
  serverRssKiB: number;
  /** CPU time of the CLI and of the server during the add: where the time goes on a 2-core machine. */
  cliCpuMs: number;
  serverCpuMs: number;
}

/**
 * One `chainloop attestation add` of a file as the `payload` ARTIFACT, with the blob forgotten first (and the disk
 * settled) so every run hashes and uploads it in full; checks the CAS holds the whole blob afterwards.
 */
export async function timedArtifactAdd(
  cp: BenchControlPlane,
  scenario: CliScenario,
  file: { path: string; size: number; digest: string },
): Promise<AddRun> {
  await forgetBlobAndSettle(cp, file.digest);
  await resetPeakRss(cp.pid);
  const serverCpuBefore = await cpuMs(cp.pid);
  const add = await scenario.run(['attestation', 'add', '--name', 'payload', '--value', file.path], { rss: true });
  const serverRssKiB = await peakRssKiB(cp.pid);
  const serverCpuMs = (await cpuMs(cp.pid)) - serverCpuBefore;
  const stored = await stat(casBlobPath(cp, file.digest)).catch(() => undefined);
  if (stored?.size !== file.size) {
    throw new Error(`add of ${file.path} left no ${file.size}-byte blob ${file.digest} in the CAS:\n${add.stderr}`);
  }
  return {
    ms: add.ms,
    cliRssKiB: add.maxRssKiB ?? Number.NaN,
    serverRssKiB,
    cliCpuMs: add.cpuMs ?? Number.NaN,
    serverCpuMs,
  };
}

/** `sha256:<hex>` from `openssl dgst -sha256` output (`SHA2-256(file)= <hex>`). */
export function digestFromOpenssl(stdout: string): string {
  const match = /=\s*([0-9a-f]{64})\s*$/.exec(stdout.trim());
  if (!match) throw new Error(`unexpected openssl dgst output: ${stdout}`);
  return `sha256:${match[1]}`;
}
