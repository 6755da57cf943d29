import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { OrbDefinition } from './config-model';

export const packageDir = join(import.meta.dirname, '..', '..');
export const orbSourceDir = join(packageDir, 'src');
export const packScript = join(packageDir, 'scripts', 'pack.mjs');
/** The orb's registry name, as the examples import it. */
export const ORB_NAME = 'chainloop-ts/chainloop';

/** Runs the package's pack script (what `npm run pack` runs) and returns its exit code and messages. */
export function runPack(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [packScript, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Packs src/ into `out` and parses the result; throws with the pack script's message when it fails. */
export function packOrbTo(out: string, srcDir = orbSourceDir): { text: string; orb: OrbDefinition } {
  const result = runPack(['--src', srcDir, '--out', out]);
  if (result.status !== 0) throw new Error(`pack failed: ${result.stderr}`);
  const text = readFileSync(out, 'utf8');
  return { text, orb: parse(text) as OrbDefinition };
}

/** Copies the orb source somewhere a test may break it. */
export function copyOrbSource(target: string): string {
  cpSync(orbSourceDir, target, { recursive: true });
  return target;
}
