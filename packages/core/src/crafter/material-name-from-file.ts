import { basename, extname } from 'node:path';

/** Material names are DNS-1123 labels (contract/model.ts DNS_1123_LABEL): at most 63 characters. */
const MAX_NAME_LENGTH = 63;

/** For a file whose name has nothing usable (`测试.xml`, `__.json`): still a valid label, made unique like any other. */
const FALLBACK_NAME = 'material';

/**
 * The material name a file gets when it is added by glob: its basename without the last extension (`junit.xml` →
 * `junit`, `bom.cdx.json` → `bom-cdx`), accents dropped, lower-cased, every run of other characters turned into one
 * '-', trimmed of '-' at both ends and cut to 63 characters, so it is always a valid DNS-1123 label.
 */
export function materialNameFromFile(path: string): string {
  const base = basename(path);
  const extension = extname(base);
  const stem = extension === '' ? base : base.slice(0, -extension.length);
  const name = stem
    // é → e + a combining accent, dropped: Résumé.txt is resume, not r-sum.
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
  return trimDashes(trimDashes(name).slice(0, MAX_NAME_LENGTH)) || FALLBACK_NAME;
}

/**
 * `name` if no material already uses it, else the first free `name-1`, `name-2`, … (the stem cut so the suffix still
 * fits in 63 characters): two `junit.xml` in different folders become `junit` and `junit-1`.
 */
export function uniqueMaterialName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let index = 1; ; index++) {
    const suffix = `-${index}`;
    const candidate = `${trimDashes(name.slice(0, MAX_NAME_LENGTH - suffix.length))}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, '');
}
