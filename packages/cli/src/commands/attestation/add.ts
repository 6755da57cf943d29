import { readFile } from 'node:fs/promises';
import { ChainloopError, UsageError } from '@chainloop-ts/core';
import type { Command } from 'commander';
import { recordMaterialKinds } from '../../compile-shape';
import { outputFormat } from '../../context';
import { log, printJson } from '../../output';
import { addDeclaredReports } from './add-declared-reports';
import { collect, craftingContext, logPolicyEvaluations, stateStore } from './shared';

interface AddFlags {
  name?: string;
  value?: string;
  materials?: string;
  materialsFile?: string;
  fromGlob?: string[];
  declaredReports?: string;
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
    .option(
      '--from-glob <pattern>',
      'add every file the pattern matches, each as its own material (repeatable; see "Adding files by glob" below)',
      collect,
    )
    .option(
      '--declared-reports <ci>',
      "add the reports the CI job declares, each with its kind (gitlab: the job's artifacts:reports; see below)",
    )
    .option('--name <name>', 'material name (from the contract; otherwise added as a contract-free material)')
    .option(
      '--kind <kind>',
      'material kind for names the contract does not declare (default: auto-detect); with --from-glob, the kind every match must be',
    )
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
    .addHelpText('after', FROM_GLOB_HELP)
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
      if (flags.declaredReports !== undefined) {
        await addDeclaredReports(flags, context, store, annotations, materialOptions, policyInputs.length > 0);
        return;
      }
      if (flags.fromGlob !== undefined) {
        const conflicting = [
          flags.name !== undefined && '--name',
          flags.value !== undefined && '--value',
          (flags.materials !== undefined || flags.materialsFile !== undefined) && '--materials',
          policyInputs.length > 0 && '--policy-input',
        ].filter(Boolean);
        if (conflicting.length > 0) {
          throw new UsageError(
            'ADD_FLAGS_CONFLICT',
            `--from-glob names each material after its file: it cannot be combined with ${conflicting.join(', ')}`,
          );
        }
        const { addMaterialsFromGlob } = await import('@chainloop-ts/core/crafter');
        const added = await addMaterialsFromGlob(context, store, {
          patterns: flags.fromGlob,
          kind: flags.kind,
          annotations,
          materialOptions,
        });
        crafted(added.map(({ material }) => material.kind));
        for (const { material } of added) await logPolicyEvaluations(material);
        if (added.length > 0) {
          log.info(`${added.length} ${added.length === 1 ? 'material' : 'materials'} added to attestation`);
        }
        if (format === 'json') {
          printJson(
            added.map(({ material, file }) => ({
              name: material.name,
              kind: material.kind,
              file,
              digest: material.digest,
            })),
          );
        }
        return;
      }
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

const FROM_GLOB_HELP = `
Adding files by glob (--from-glob PATTERN):
  The pattern is relative to the working directory (or absolute): * stays in one folder, ** crosses folders
  (reports/**/*.xml), hidden files and folders match only when the pattern names them, folders are skipped.
  Repeat --from-glob for several patterns; a file matched twice is added once, and matches are taken in path order.
  Each file becomes its own material:
    - kind: auto-detected, or --kind KIND, which every match must be;
    - name: the file name without its extension, lower-cased, other characters turned into '-', at most 63
      characters (TEST-Foo.xml -> test-foo); a name already used gets -1, -2, ... (junit, junit-1);
    - a name the contract declares, not yet added, is filled by that file, which must be of the declared kind;
      nothing already in the attestation is replaced;
    - --annotation applies to each, and the contract's policies are evaluated on each, as for a single add.
  All or nothing: every match is checked before any is uploaded; if one is refused (not of the kind, empty, ...)
  the command names each refused file, kind and reason, exits non-zero and adds none of them, so the attestation
  is as it was and the command can be rerun once the files are fixed.
  A pattern that matches nothing is a warning naming it and the working directory, not an error (exit 0).
  -o json prints the materials added: [{ name, kind, file, digest }] ([] when nothing matched).

Adding the reports a GitLab job declares (--declared-reports gitlab), as the GitLab component's after_script does:
  the job's artifacts:reports are read from the pipeline's CI config in the checkout (CI_CONFIG_PATH, its local
  includes, extends, default:, anchors, !reference), or from CHAINLOOP_REPORTS (the same YAML) when set. Each
  report is added as --from-glob PATH --kind KIND: junit JUNIT_XML, cyclonedx SBOM_CYCLONEDX_JSON, sast,
  secret_detection, container_scanning and dependency_scanning GITLAB_SECURITY_REPORT, coverage_report
  COBERTURA_XML or JACOCO_XML by its coverage_format. A file the attestation already holds is not added again;
  other report types are a warning; a refused report fails (exit 1) without keeping the others out.

Examples:
  chainloop attestation add --from-glob 'reports/**/*.xml'
  chainloop attestation add --from-glob 'build/test-results/**/*.xml' --kind JUNIT_XML --annotation suite=unit
  chainloop attestation add --from-glob '*.sarif' --from-glob 'sbom/*.cdx.json' -o json
  chainloop attestation add --declared-reports gitlab
`;

async function readListFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ChainloopError('MATERIAL_LIST_UNREADABLE', `--materials-file ${path}: ${(error as Error).message}`);
  }
}
