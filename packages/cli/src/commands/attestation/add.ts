import type { Command } from 'commander';
import { outputFormat } from '../../context';
import { log, printJson } from '../../output';
import { collect, craftingContext, stateStore } from './shared';

interface AddFlags {
  name?: string;
  value: string;
  kind?: string;
  annotation?: string[];
  registryServer?: string;
  registryUsername?: string;
  registryPassword?: string;
  insecureRegistry?: string[];
}

export function registerAttestationAdd(attestation: Command): void {
  attestation
    .command('add')
    .description('add a material (string, file, image reference, SBOM, report…) to the attestation in progress')
    .requiredOption('--value <value>', 'the material: a string, a file path, an image reference, or env://VAR')
    .option('--name <name>', 'material name (from the contract; otherwise added as a contract-free material)')
    .option('--kind <kind>', 'material kind for names the contract does not declare (default: auto-detect)')
    .option('--annotation <key=value>', 'annotation (repeatable)', collect)
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
      const { addMaterial, parseAnnotationFlags } = await import('@chainloop-ts/core/crafter');
      const annotations = parseAnnotationFlags(flags.annotation);
      const context = craftingContext(command);
      const insecure = [
        ...(flags.insecureRegistry ?? []),
        ...(process.env.CHAINLOOP_INSECURE_REGISTRIES ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ];
      const { material } = await addMaterial(context, stateStore(command, context), {
        name: flags.name,
        value: flags.value,
        kind: flags.kind,
        annotations,
        materialOptions: {
          registryServer: flags.registryServer ?? process.env.CHAINLOOP_REGISTRY_SERVER,
          registryUsername: flags.registryUsername ?? process.env.CHAINLOOP_REGISTRY_USERNAME,
          registryPassword: flags.registryPassword ?? process.env.CHAINLOOP_REGISTRY_PASSWORD,
          insecureRegistries: insecure,
        },
      });
      log.info('material added to attestation');
      if (format === 'json') {
        printJson({
          name: material.name,
          type: material.kind,
          digest: material.digest,
          annotations: material.annotations,
        });
      }
    });
}
