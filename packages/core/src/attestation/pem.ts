import { ChainloopError } from '../errors';

/** One PEM block: its label (`PUBLIC KEY`, `ENCRYPTED SIGSTORE PRIVATE KEY`, …) and the decoded DER bytes. */
export interface PemBlock {
  label: string;
  der: Buffer;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/**
 * Every PEM block in `text`, in order. `what` names the input in errors (e.g. `signing key ./cosign.key`).
 * Hand-written because Node has no public PEM splitter and the rules are a few lines: a BEGIN line, base64, the
 * matching END line.
 */
export function decodePemBlocks(text: string, what: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BEGIN)) {
    const label = match[1];
    const bodyStart = (match.index ?? 0) + match[0].length;
    const endMarker = `-----END ${label}-----`;
    const end = text.indexOf(endMarker, bodyStart);
    if (end < 0) {
      throw new ChainloopError(
        'PEM_TRUNCATED',
        `${what}: PEM block "${label}" is truncated (no "${endMarker}" line); copy the whole file again`,
      );
    }
    const body = text.slice(bodyStart, end).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new ChainloopError(
        'PEM_MALFORMED',
        `${what}: PEM block "${label}" is not valid base64 (truncated or edited); copy the whole file again`,
      );
    }
    blocks.push({ label, der: Buffer.from(body, 'base64') });
  }
  return blocks;
}

/** The single PEM block in `text`; errors name `what` when there is none. */
export function decodeFirstPemBlock(text: string, what: string): PemBlock {
  const [first] = decodePemBlocks(text, what);
  if (!first) {
    throw new ChainloopError('PEM_MISSING', `${what}: no PEM block found (expected "-----BEGIN …-----")`);
  }
  return first;
}

/** PEM text with 64-character base64 lines and a trailing newline, as Go's encoding/pem writes it. */
export function encodePem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${label}-----\n`;
}
