import type { X509Certificate } from 'node:crypto';
import { ChainloopError } from '@chainloop-ts/core';
import { issueSigningCertificate } from '@chainloop-ts/core/attestation';
import { badRequest } from '../http/api-error';
import type { SigningCa } from './signing-ca';

/**
 * A keyless signer's certificate for a run: a short-lived code-signing leaf whose subject organisation is the
 * workflow id (what the store check compares), followed by our CA chain.
 */
export async function issueRunCertificate(
  ca: SigningCa,
  csrPem: string,
  options: { workflowId: string; validityMinutes: number },
): Promise<string[]> {
  try {
    const leaf = await issueSigningCertificate(ca.authority, csrPem, {
      subject: options.workflowId,
      validityMinutes: options.validityMinutes,
    });
    return [leaf, ...ca.chainPem];
  } catch (error) {
    if (error instanceof ChainloopError && error.code === 'CSR_INVALID') throw badRequest(error.code, error.message);
    throw error;
  }
}

/** The workflow a leaf was issued for: its subject's O attribute (undefined when it has none). */
export function certificateWorkflowId(leaf: X509Certificate): string | undefined {
  for (const line of leaf.subject.split('\n')) {
    if (line.startsWith('O=')) return line.slice(2);
  }
  return undefined;
}
