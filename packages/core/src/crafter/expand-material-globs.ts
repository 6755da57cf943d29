import { resolve } from 'node:path';
import { UsageError } from '../errors';

export interface MaterialGlobMatches {
  /** The files matched by any pattern, relative to the working directory, each once, sorted. */
  files: string[];
  /** The patterns that matched no file, in the order given. */
  unmatched: string[];
}

/**
 * Expands `--from-glob` patterns (`reports/**\/*.xml`; relative to `cwd`, or absolute) to the regular files they match,
 * as a shell would: `*` stays in one folder, `**` crosses folders, hidden files and folders match only when the pattern
 * names them, and a folder is never a match (`reports` alone matches nothing: `reports/**` takes what is inside).
 * Sorted by path so the materials, their names and the attestation are the same on every run and machine.
 * `exclude` leaves out files by absolute path (the crafting state itself, when it sits under the pattern).
 */
export async function expandMaterialGlobs(
  patterns: string[],
  cwd: string,
  exclude: (absolutePath: string) => boolean = () => false,
): Promise<MaterialGlobMatches> {
  if (patterns.length === 0 || patterns.some((pattern) => pattern.trim() === '')) {
    throw new UsageError('GLOB_PATTERN_EMPTY', '--from-glob needs a pattern, e.g. --from-glob "reports/**/*.xml"');
  }
  // Node 20 has no fs.glob (22 has it, experimental): tinyglobby walks the tree; loaded only when a glob is used.
  const { glob } = await import('tinyglobby');
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    const matches = (await glob([pattern], { cwd, onlyFiles: true, expandDirectories: false, dot: false })).filter(
      (file) => !exclude(resolve(cwd, file)),
    );
    if (matches.length === 0) unmatched.push(pattern);
    for (const file of matches) files.add(file);
  }
  // Code-unit order, not the locale's: the same order on every machine.
  return { files: [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), unmatched };
}
