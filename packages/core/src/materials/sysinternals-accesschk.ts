import { readFile } from 'node:fs/promises';
import { MAX_PARSED_DOCUMENT_BYTES } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { requireMaterialFile } from './material-file';
import { ANNOTATION_TOOL_NAME, ANNOTATION_TOOL_VERSION } from './tool-annotations';

/**
 * Go's strings.TrimSpace set (Unicode White_Space): unlike String.prototype.trim it keeps U+FEFF, so a file starting
 * with a byte-order mark reads as the original reads it.
 */
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM = new RegExp(`^${SPACE}+|${SPACE}+$`, 'g');
const VERSION = /accesschk v([0-9][0-9.]*)/i;
/** `  RW BUILTIN\Administrators`: the access token must be followed by space, so `WRITE_DAC` is not an entry. */
const ACCESS_ENTRY = /^(RW|R|W)[\t\n\f\r ]+\S/;
/** `[0] ACCESS_ALLOWED_ACE_TYPE: NT AUTHORITY\SYSTEM` (DACL) or `[0] : Everyone` (SACL), under `-l`. */
const ACE = /^\[\d+\][\t\n\f\r ]*.*?:/;

/**
 * Text output of Sysinternals AccessChk. It has no machine-readable mode, so, like the original, the check is
 * lenient: the file must be UTF-8 text that looks like AccessChk output — its banner, an object with an access entry
 * (`RW …`), or a security descriptor (`-l`: owner, DACL/SACL entries, descriptor flags). The tool is recorded as
 * `AccessChk`, with the version the banner gives. Never auto-detected: it is free text.
 */
export const sysinternalsAccesschkKind: MaterialKind = {
  kind: 'SYSINTERNALS_ACCESSCHK',
  async inspect(input) {
    const file = await requireMaterialFile(input);
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'SYSINTERNALS_ACCESSCHK', reason);
    if (file.size > MAX_PARSED_DOCUMENT_BYTES) {
      throw refuse(
        `${file.size} bytes is too large to validate (limit ${MAX_PARSED_DOCUMENT_BYTES}); attest it as ARTIFACT`,
      );
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(file.path));
    } catch {
      throw refuse('it is not UTF-8 text');
    }
    const { version, looksLikeAccessChk } = scan(text);
    if (!looksLikeAccessChk) {
      throw refuse('it does not look like AccessChk output (no banner, access entry or security descriptor)');
    }
    const annotations: Record<string, string> = { [ANNOTATION_TOOL_NAME]: 'AccessChk' };
    if (version !== undefined) annotations[ANNOTATION_TOOL_VERSION] = version;
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};

/** Walks the output as the original's parser does, keeping only what tells whether it is AccessChk output. */
function scan(text: string): { version?: string; looksLikeAccessChk: boolean } {
  let version: string | undefined;
  let evidence = false;
  let inObject = false;
  let section: 'none' | 'flags' | 'dacl' | 'sacl' = 'none';
  let inAce = false;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const trimmed = line.replace(TRIM, '');
    if (trimmed === '' || isBannerLine(trimmed)) {
      version ??= VERSION.exec(trimmed)?.[1];
      continue;
    }
    if (trimmed.includes('DESCRIPTOR FLAGS') || trimmed.includes('ACCESS_ALLOWED')) evidence = true;
    if (!/^[ \t]/.test(line)) {
      // A line at column zero names a new object (a file, key, service…).
      inObject = true;
      section = 'none';
      inAce = false;
      continue;
    }
    if (!inObject) continue;
    if (ACCESS_ENTRY.test(trimmed)) {
      evidence = true;
      inAce = false;
    } else if (trimmed.startsWith('DESCRIPTOR FLAGS')) {
      section = 'flags';
      inAce = false;
    } else if (trimmed.startsWith('OWNER:')) {
      if (trimmed.slice('OWNER:'.length).replace(TRIM, '') !== '') evidence = true;
      inAce = false;
    } else if (trimmed.startsWith('DACL') || trimmed.startsWith('SACL')) {
      section = trimmed.startsWith('DACL') ? 'dacl' : 'sacl';
      inAce = false;
    } else if (ACE.test(trimmed)) {
      evidence = true;
      inAce = true;
    } else if (!inAce && section === 'flags') {
      evidence = true;
    }
  }
  return { version, looksLikeAccessChk: version !== undefined || evidence };
}

function isBannerLine(trimmed: string): boolean {
  const lower = trimmed.toLowerCase();
  return (
    lower.startsWith('accesschk v') ||
    lower.startsWith('copyright') ||
    lower.includes('sysinternals - www.sysinternals.com')
  );
}
