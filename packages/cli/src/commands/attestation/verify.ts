import { readFile } from 'node:fs/promises';
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { outputFormat } from '../../context';
import { log, printJson, printLine, renderGridTable, renderKeyValueTable } from '../../output';

interface VerifyFlags {
  key?: string;
  cert?: string;
  certChain?: string;
  at?: string;
  artifact: string[];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

async function readDocument(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ChainloopError(
      'ATTESTATION_FILE_NOT_FOUND',
      `attestation ${file}: ${code === 'ENOENT' ? 'file not found' : `cannot be read (${code})`}; pass an envelope or bundle file, or - for stdin`,
    );
  }
}

function parseAt(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (!RFC3339.test(value) || Number.isNaN(at.getTime())) {
    throw new UsageError('AT_INVALID', `--at "${value}" is not an RFC 3339 time (e.g. 2024-06-18T16:40:00Z)`);
  }
  return at;
}

export function registerAttestationVerify(attestation: Command): void {
  attestation
    .command('verify')
    .description('verify a DSSE envelope or Sigstore bundle offline, with a public key or a CA chain')
    .argument('<file>', 'envelope or bundle JSON file, or - for stdin')
    .option('--key <ref>', 'public key (cosign.pub): file path or env://VAR')
    .option('--cert <file>', 'signing (leaf) certificate PEM, when the envelope does not carry it')
    .option('--cert-chain <file>', 'CA certificate(s) PEM the signing certificate must chain to')
    .option('--at <time>', 'RFC 3339 time to check certificates at (default: when the signing certificate was issued)')
    .option(
      '--artifact <file>',
      'also require a subject with this file sha256 digest (repeat for several files; each must be a subject)',
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .action(async (file: string, flags: VerifyFlags, command: Command) => {
      const format = outputFormat(command);
      if (!flags.key && !flags.cert && !flags.certChain) {
        throw new UsageError(
          'TRUST_MISSING',
          'nothing to verify against: pass --key PUB, or --cert CERT / --cert-chain CHAIN',
        );
      }
      if (flags.key && (flags.cert || flags.certChain || flags.at)) {
        throw new UsageError('TRUST_CONFLICT', '--key cannot be combined with --cert, --cert-chain or --at');
      }
      const at = parseAt(flags.at);
      const { readKeyReference, verifyAttestation } = await import('@chainloop-ts/core/attestation');
      const document = await readDocument(file);
      const trust = flags.key
        ? { publicKeyPem: await readKeyReference(flags.key, { what: 'public key' }) }
        : {
            certificatePem: flags.cert ? await readKeyReference(flags.cert, { what: 'certificate' }) : undefined,
            chainPem: flags.certChain ? await readKeyReference(flags.certChain, { what: 'CA chain' }) : undefined,
            at,
          };
      const artifacts: Array<{ name: string; digest: string }> = [];
      if (flags.artifact.length > 0) {
        const { hashFile } = await import('@chainloop-ts/core/crafter');
        for (const name of flags.artifact) {
          const { digest } = await hashFile(name).catch(() => {
            throw new ChainloopError('ARTIFACT_NOT_FOUND', `--artifact ${name}: file cannot be read`);
          });
          artifacts.push({ name, digest });
        }
      }
      const result = await verifyAttestation(document, trust, { artifacts });
      const signedBy =
        result.signer.kind === 'key'
          ? 'public key'
          : `certificate "${result.signer.subject.replace(/\n/g, ', ')}" at ${result.signer.verifiedAt.toISOString()}`;
      log.info(`attestation verified: signed by ${signedBy}`);
      const digests = (digest: Record<string, string>) =>
        Object.entries(digest)
          .map(([algorithm, hex]) => `${algorithm}:${hex}`)
          .join('\n');
      if (format === 'json') {
        printJson({
          verified: true,
          statementType: result.statement._type,
          predicateType: result.predicateType,
          subjects: result.subjects,
          signer: result.signer,
        });
        return;
      }
      printLine(
        renderKeyValueTable([
          ['Verified', true],
          ['Predicate type', result.predicateType],
          ['Statement type', result.statement._type],
          ['Signed by', signedBy],
        ]),
      );
      printLine(
        renderGridTable(
          'Subjects',
          ['NAME', 'DIGEST'],
          result.subjects.map((subject) => [subject.name, digests(subject.digest)]),
        ),
      );
    });
}
