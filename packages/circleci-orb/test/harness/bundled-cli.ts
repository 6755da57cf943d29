import type { ConfigDefinition } from './config-model';
import { ORB_NAME } from './orb-files';

/**
 * The examples install the published CLI from npm, which this offline machine cannot reach; tests point every
 * install (the install command and the ready jobs' cli_path parameter) at the bundled CLI instead. Nothing else in
 * the example changes.
 */
export function withBundledCli(config: ConfigDefinition, cliPath: string): ConfigDefinition {
  const alias = Object.entries(config.orbs ?? {}).find(([, reference]) => reference.startsWith(`${ORB_NAME}@`))?.[0];
  if (!alias) throw new Error(`the config does not import ${ORB_NAME}`);
  const installers = new Set([`${alias}/install`, `${alias}/attest`, `${alias}/attach-materials`]);
  const rewrite = (tree: unknown): unknown => {
    if (typeof tree === 'string') return installers.has(tree) ? { [tree]: { cli_path: cliPath } } : tree;
    // A cli_path the config gives itself (a test of the install command) is kept.
    if (Array.isArray(tree)) return tree.map(rewrite);
    if (tree !== null && typeof tree === 'object') {
      return Object.fromEntries(
        Object.entries(tree).map(([key, value]) => [
          key,
          installers.has(key) ? { cli_path: cliPath, ...(value as object) } : rewrite(value),
        ]),
      );
    }
    return tree;
  };
  return rewrite(structuredClone(config)) as ConfigDefinition;
}
