import { ChainloopError, UsageError } from '@chainloop-ts/core';
import type { CraftingContext, StateStore } from '@chainloop-ts/core/crafter';
import { recordMaterialKinds } from '../../compile-shape';
import { log } from '../../output';
import { logPolicyEvaluations } from './shared';

/** The flags of `attestation add` that say what to add: --declared-reports takes the place of all of them. */
interface DeclaredReportsFlags {
  declaredReports?: string;
  name?: string;
  value?: string;
  materials?: string;
  materialsFile?: string;
  fromGlob?: string[];
  kind?: string;
}

/**
 * `attestation add --declared-reports gitlab`, run by the GitLab component's after_script: each report the job
 * declares under artifacts:reports is added as `--from-glob PATH --kind KIND` would add it, unless the job's script
 * added that file already. One report that is
 * refused does not keep the others out (each is all or nothing on its own); the command then exits non-zero.
 */
export async function addDeclaredReports(
  flags: DeclaredReportsFlags,
  context: CraftingContext,
  store: StateStore,
  annotations: Record<string, string>,
  materialOptions: Record<string, unknown>,
  hasPolicyInputs: boolean,
): Promise<void> {
  if (flags.declaredReports !== 'gitlab') {
    throw new UsageError(
      'ADD_DECLARED_REPORTS_CI',
      `--declared-reports ${flags.declaredReports}: only gitlab is known (a job's artifacts:reports); in other CIs add report files with --from-glob PATTERN`,
    );
  }
  const conflicting = [
    flags.name !== undefined && '--name',
    flags.value !== undefined && '--value',
    (flags.materials !== undefined || flags.materialsFile !== undefined) && '--materials',
    flags.fromGlob !== undefined && '--from-glob',
    flags.kind !== undefined && '--kind',
    hasPolicyInputs && '--policy-input',
  ].filter(Boolean);
  if (conflicting.length > 0) {
    throw new UsageError(
      'ADD_FLAGS_CONFLICT',
      `--declared-reports adds the job's reports with their own names and kinds: it cannot be combined with ${conflicting.join(', ')}`,
    );
  }
  const { gitlabDeclaredReports } = await import('@chainloop-ts/core/runners');
  const { addMaterialsFromGlob } = await import('@chainloop-ts/core/crafter');
  const { reports, source, warnings } = await gitlabDeclaredReports(process.env, context.cwd);
  for (const warning of warnings) log.warn(warning);
  const refused: string[] = [];
  let added = 0;
  for (const { report, kind, path } of reports) {
    log.info(`attesting ${report} report ${path} as ${kind} (declared in ${source})`);
    try {
      const materials = await addMaterialsFromGlob(context, store, {
        patterns: [path],
        kind,
        annotations,
        materialOptions,
        skipAttested: true,
      });
      recordMaterialKinds(materials.map(({ material }) => material.kind));
      for (const { material } of materials) await logPolicyEvaluations(material);
      added += materials.length;
    } catch (error) {
      if (!(error instanceof ChainloopError)) throw error;
      log.error(error.message);
      refused.push(path);
    }
  }
  if (added > 0) log.info(`${added} ${added === 1 ? 'report' : 'reports'} added to attestation`);
  if (refused.length > 0) {
    throw new ChainloopError(
      'DECLARED_REPORTS_REFUSED',
      `the declared reports ${refused.join(', ')} were not attested (why is above): fix each report, or its entry in artifacts:reports, and rerun the job`,
    );
  }
}
