import { readFile } from 'node:fs/promises';
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import type { CraftedMaterial } from '@chainloop-ts/core/crafter';
import type { Command } from 'commander';
import { recordMaterialKinds } from '../../compile-shape';
import { outputFormat } from '../../context';
import { log, printJson } from '../../output';
import { collect, craftingContext, stateStore } from './shared';

interface AddFlags {
  name?: string;
  value?: string;
  materials?: string;
  materialsFile?: string;
  kind?: string;
  annotation?: string[];
  registryServer?: string;
  registryUsername?: string;
  registryPassword?: string;
  insecureRegistry?: string[];
  policyInput?: string[];
}

export function registerAttestationAdd(attestation: Command): void {
  attestation
    .command('add')
    .description('add a material (string, file, image reference, SBOM, report…) to the attestation in progress')
    .option('--value <value>', 'the material: a string, a file path, an image reference, or env://VAR')
    .option('--materials <list>', 'several materials: one name=value (or KIND:name=value) per line, or a JSON array')
    .option('--materials-file <path>', 'the same list read from a file')
    .option('--name <name>', 'material name (from the contract; otherwise added as a contract-free material)')
    .option('--kind <kind>', 'material kind for names the contract does not declare (default: auto-detect)')
    .option('--annotation <key=value>', 'annotation (repeatable)', collect)
    .option(
      '--policy-input <[policy:]input=value>',
      "replace the contract's value of a policy input for the policies evaluated on this material (only that policy's with policy:; repeatable, several for one input are several values)",
      collect,
    )
    .option('--registry-server <host>', 'registry for the credentials below (env CHAINLOOP_REGISTRY_SERVER)')
    .option('--registry-username <user>', 'registry user name (env CHAINLOOP_REGISTRY_USERNAME)')
    .option('--registry-password <password>', 'registry password (env CHAINLOOP_REGISTRY_PASSWORD)')
    .option(
      '--insecure-registry <host>',
      'registry reached over plain HTTP (repeatable; env CHAINLOOP_INSECURE_REGISTRIES)',
      collect,
    )
    .option('--attestation-id <id>', 'attestation in the control plane (remote state; env CHAINLOOP_ATTESTATION_ID)')
    .option('--local-state-path <path>', 'where the local crafting state lives')
    .action(async (flags: AddFlags, command: Command) => {
      const format = outputFormat(command);
      const { addMaterial, parseAnnotationFlags, parsePolicyInputFlags } = await import('@chainloop-ts/core/crafter');
      const { isMaterialKindName } = await import('@chainloop-ts/core/contract');
      // The kinds crafted tell the bundle's code cache which code this run compiled (only enum names: see compile-shape).
      const crafted = (kinds: string[]) => recordMaterialKinds(kinds.filter(isMaterialKindName));
      const annotations = parseAnnotationFlags(flags.annotation);
      const policyInputs = parsePolicyInputFlags(flags.policyInput);
      const context = await craftingContext(command);
      const store = await stateStore(command, context);
      const insecure = [
        ...(flags.insecureRegistry ?? []),
        ...(process.env.CHAINLOOP_INSECURE_REGISTRIES ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ];
      const materialOptions = {
        registryServer: flags.registryServer ?? process.env.CHAINLOOP_REGISTRY_SERVER,
        registryUsername: flags.registryUsername ?? process.env.CHAINLOOP_REGISTRY_USERNAME,
        registryPassword: flags.registryPassword ?? process.env.CHAINLOOP_REGISTRY_PASSWORD,
        insecureRegistries: insecure,
      };
      const listText = flags.materialsFile !== undefined ? await readListFile(flags.materialsFile) : flags.materials;
      if (listText !== undefined) {
        if (flags.value !== undefined || flags.name !== undefined) {
          throw new UsageError(
            'ADD_FLAGS_CONFLICT',
            '--materials/--materials-file cannot be combined with --name/--value',
          );
        }
        if (policyInputs.length > 0) {
          throw new UsageError(
            'ADD_FLAGS_CONFLICT',
            '--policy-input applies to one material: add that material with --name and --value, not in --materials',
          );
        }
        const { addMaterials, parseMaterialList } = await import('@chainloop-ts/core/lifecycle');
        const results = await addMaterials(context, store, parseMaterialList(listText), {
          annotations,
          materialOptions,
        });
        crafted(results.map(({ material }) => material.kind));
        for (const { material } of results) await logPolicyEvaluations(material);
        log.info(`${results.length} materials added to attestation`);
        if (format === 'json') {
          printJson(
            results.map(({ material }) => ({ name: material.name, type: material.kind, digest: material.digest })),
          );
        }
        return;
      }
      if (flags.value === undefined) {
        throw new UsageError(
          'ADD_VALUE_MISSING',
          'no material given: pass --value VALUE (with --name NAME), or --materials',
        );
      }
      const { material } = await addMaterial(context, store, {
        name: flags.name,
        value: flags.value,
        kind: flags.kind,
        annotations,
        materialOptions,
        policyInputs,
      });
      crafted([material.kind]);
      await logPolicyEvaluations(material);
      log.info('material added to attestation');
      if (format === 'json') {
        printJson({
          name: material.name,
          type: material.kind,
          digest: material.digest,
          annotations: material.annotations,
          policyEvaluations: material.policyEvaluations ?? [],
        });
      }
    });
}

/** One line per policy that applied to the material: passed, its violations, or skipped and why. */
async function logPolicyEvaluations(material: CraftedMaterial): Promise<void> {
  if (!material.policyEvaluations?.length) return;
  const { describePolicyEvaluation } = await import('@chainloop-ts/core/crafter');
  for (const evaluation of material.policyEvaluations) {
    const line = `policy ${describePolicyEvaluation(evaluation)} (material "${material.name}")`;
    if (evaluation.violations.length > 0) log.warn(line);
    else log.info(line);
  }
}

async function readListFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ChainloopError('MATERIAL_LIST_UNREADABLE', `--materials-file ${path}: ${(error as Error).message}`);
  }
}
