import { readFile } from 'node:fs/promises';
import {
  ChainloopError,
  type NameRule,
  nameRuleViolation,
  shortNameRule,
  UsageError,
  WORKFLOW_NAME_RULE,
} from '@chainloop-ts/core';
import type {
  ContractRevision,
  ControlPlaneClient,
  RobotAccount,
  Workflow,
  WorkflowKey,
  WorkflowRun,
} from '@chainloop-ts/core/client';
import type { Command } from 'commander';
import { adminToken, controlPlaneUrl, outputFormat } from '../context';
import { type Cell, log, printJson, printLine, renderGridTable, renderKeyValueTable } from '../output';
import { formatInitializedAt as formatTime } from './attestation/status-view';

/** The admin client, loaded on first use so commands that do not talk to the control plane start faster. */
export async function adminClient(command: Command): Promise<ControlPlaneClient> {
  const { ControlPlaneClient } = await import('@chainloop-ts/core/client');
  const { token, source } = adminToken(command);
  // Nothing listening at the URL: an admin command says so at once rather than after a second of retries.
  return new ControlPlaneClient({ baseUrl: controlPlaneUrl(command), token, tokenSource: source, retryRefused: false });
}

function parseRevision(value: string): number {
  const revision = Number(value);
  if (!Number.isInteger(revision) || revision < 1) {
    throw new UsageError('INVALID_REVISION', `--revision "${value}" is not a revision number: use 1, 2, …`);
  }
  return revision;
}

/**
 * A name the control plane would refuse by its rule is a usage error (exit 2) caught before anything is sent, with
 * the rule in words and a valid example, as the control plane words it.
 */
function checkName(flag: string, value: string | undefined, rule: NameRule): void {
  if (value === undefined) return;
  const violation = nameRuleViolation(flag, value, rule);
  if (violation) throw new UsageError('INVALID_NAME', violation);
}

const optionalTime = (iso: string | undefined): Cell => (iso ? formatTime(iso) : '');

function workflowRows(workflow: Workflow): Array<[string, Cell]> {
  return [
    ['ID', workflow.id],
    ['Name', workflow.name],
    ['Team', workflow.team],
    ['Project', workflow.project],
    ['Description', workflow.description],
    ['Created At', formatTime(workflow.createdAt)],
  ];
}

function contractRows(contract: ContractRevision): Array<[string, Cell]> {
  return [
    ['Workflow', contract.workflowId],
    ['Revision', contract.revision],
    ['Format', contract.format],
    ['Created At', formatTime(contract.createdAt)],
  ];
}

function robotAccountRows(account: RobotAccount): Array<[string, Cell]> {
  const rows: Array<[string, Cell]> = [
    ['ID', account.id],
    ['Name', account.name],
    ['Workflow', account.workflowId],
    ['Created At', formatTime(account.createdAt)],
  ];
  if (account.revokedAt) rows.push(['Revoked At', formatTime(account.revokedAt)]);
  if (account.token) rows.push(['Token', account.token]);
  return rows;
}

function workflowKeyRows(key: WorkflowKey): Array<[string, Cell]> {
  return [
    ['ID', key.id],
    ['Name', key.name],
    ['Workflow', key.workflowId],
    ['Fingerprint', key.fingerprint],
    ['Created At', formatTime(key.createdAt)],
  ];
}

export function runRows(run: WorkflowRun): Array<[string, Cell]> {
  return [
    ['ID', run.id],
    ['Workflow', `${run.workflowName} (${run.workflowId})`],
    ['Status', run.status],
    ['Runner', run.runnerType],
    ['Job URL', run.jobUrl],
    ['Contract Revision', run.contractRevision],
    ['Created At', formatTime(run.createdAt)],
    ['Finished At', optionalTime(run.finishedAt)],
    ['Reset Trigger', run.trigger],
    ['Reason', run.reason],
    ['Attestation', run.attestationDigest],
  ];
}

// workflow create|list, contract update|describe, robot-account create|revoke|list, run list|describe (admin token).
export function registerWorkflowCommands(program: Command): void {
  const workflow = program
    .command('workflow')
    .alias('wf')
    .description('manage workflows, contracts, robot accounts and runs (admin token)');

  workflow
    .command('create')
    .description('create a workflow (its contract starts empty at revision 1)')
    .requiredOption('--name <name>', 'workflow name, a DNS-1123 label (e.g. build-and-test)')
    .requiredOption('--team <team>', 'owning team')
    .requiredOption('--project <project>', 'project the workflow belongs to')
    .option('--description <text>', 'free text')
    .action(async (flags: { name: string; team: string; project: string; description?: string }, command: Command) => {
      checkName('--name', flags.name, WORKFLOW_NAME_RULE);
      checkName('--team', flags.team, shortNameRule('team name', 'cyberdyne core'));
      checkName('--project', flags.project, shortNameRule('project name', 'skynet'));
      const created = await (await adminClient(command)).createWorkflow(flags);
      if (outputFormat(command) === 'json') return printJson(created);
      log.info(`workflow ${created.name} created`);
      printLine(renderKeyValueTable(workflowRows(created), 'Workflow'));
    });

  workflow
    .command('list')
    .description('list workflows')
    .action(async (_flags: unknown, command: Command) => {
      const workflows = await (await adminClient(command)).listWorkflows();
      if (outputFormat(command) === 'json') return printJson(workflows);
      printLine(
        renderGridTable(
          'Workflows',
          ['ID', 'NAME', 'TEAM', 'PROJECT', 'CREATED AT'],
          workflows.map((item) => [item.id, item.name, item.team, item.project, formatTime(item.createdAt)]),
        ),
      );
    });

  const contract = workflow.command('contract').description("manage a workflow's contract");

  contract
    .command('update')
    .description('upload a contract file (YAML or JSON); a changed contract becomes the next revision')
    .requiredOption('--workflow <W>', 'workflow id or name')
    .requiredOption('-f, --file <path>', 'contract file, YAML or JSON')
    .action(async (flags: { workflow: string; file: string }, command: Command) => {
      const body = await readContractFile(flags.file);
      const revision = await (await adminClient(command)).updateContract(flags.workflow, body);
      if (outputFormat(command) === 'json') return printJson(revision);
      log.info(`contract revision ${revision.revision} is the latest of workflow ${flags.workflow}`);
      printLine(renderKeyValueTable(contractRows(revision), 'Contract'));
    });

  contract
    .command('describe')
    .description('show the latest contract revision, or the given one')
    .requiredOption('--workflow <W>', 'workflow id or name')
    .option('--revision <N>', 'contract revision (default: latest)', parseRevision)
    .action(async (flags: { workflow: string; revision?: number }, command: Command) => {
      const revision = await (await adminClient(command)).getContract(flags.workflow, flags.revision);
      if (outputFormat(command) === 'json') return printJson(revision);
      printLine(renderKeyValueTable(contractRows(revision), 'Contract'));
      printLine(revision.body.replace(/\n$/, ''));
    });

  const robot = workflow.command('robot-account').description("manage a workflow's robot accounts");

  robot
    .command('create')
    .description('create a robot account; its token is shown once')
    .requiredOption('--workflow <W>', 'workflow id or name')
    .option('--name <name>', 'a name to recognise it by')
    .action(async (flags: { workflow: string; name?: string }, command: Command) => {
      checkName('--name', flags.name, shortNameRule('robot account name', 'gitlab-ci'));
      const account = await (await adminClient(command)).createRobotAccount(flags.workflow, flags.name);
      if (outputFormat(command) === 'json') return printJson(account);
      printLine(renderKeyValueTable(robotAccountRows(account), 'Robot Account'));
      log.warn('the token is shown only now: store it as a CI secret (CHAINLOOP_ROBOT_ACCOUNT)');
    });

  robot
    .command('list')
    .description("list a workflow's robot accounts (never their tokens)")
    .requiredOption('--workflow <W>', 'workflow id or name')
    .action(async (flags: { workflow: string }, command: Command) => {
      const accounts = await (await adminClient(command)).listRobotAccounts(flags.workflow);
      if (outputFormat(command) === 'json') return printJson(accounts);
      printLine(
        renderGridTable(
          'Robot Accounts',
          ['ID', 'NAME', 'CREATED AT', 'REVOKED AT'],
          accounts.map((item) => [item.id, item.name, formatTime(item.createdAt), optionalTime(item.revokedAt)]),
        ),
      );
    });

  robot
    .command('revoke')
    .description('revoke a robot account; its token stops working at once')
    .requiredOption('--workflow <W>', 'workflow id or name')
    .requiredOption('--id <id>', 'robot account id')
    .action(async (flags: { workflow: string; id: string }, command: Command) => {
      const account = await (await adminClient(command)).revokeRobotAccount(flags.workflow, flags.id);
      if (outputFormat(command) === 'json') return printJson(account);
      log.info(`robot account ${account.id} revoked`);
      printLine(renderKeyValueTable(robotAccountRows(account), 'Robot Account'));
    });

  const key = workflow
    .command('key')
    .description(
      "manage a workflow's public keys: key-signed attestations must verify with one of them once any is added",
    );

  key
    .command('add')
    .description('register a public key (PEM, e.g. cosign.pub) for the workflow')
    .requiredOption('--workflow <W>', 'workflow id or name')
    .requiredOption('-f, --file <path>', 'public key PEM file (cosign.pub)')
    .option('--name <name>', 'a name to recognise it by')
    .action(async (flags: { workflow: string; file: string; name?: string }, command: Command) => {
      checkName('--name', flags.name, shortNameRule('key name', 'release'));
      const { readKeyReference } = await import('@chainloop-ts/core/attestation');
      const publicKeyPem = await readKeyReference(flags.file, { what: 'public key' });
      const added = await (await adminClient(command)).addWorkflowKey(flags.workflow, {
        publicKeyPem,
        name: flags.name,
      });
      if (outputFormat(command) === 'json') return printJson(added);
      log.info(`key ${added.fingerprint} registered for workflow ${flags.workflow}`);
      printLine(renderKeyValueTable(workflowKeyRows(added), 'Workflow Key'));
    });

  key
    .command('list')
    .description("list a workflow's registered public keys")
    .requiredOption('--workflow <W>', 'workflow id or name')
    .action(async (flags: { workflow: string }, command: Command) => {
      const keys = await (await adminClient(command)).listWorkflowKeys(flags.workflow);
      if (outputFormat(command) === 'json') return printJson(keys);
      printLine(
        renderGridTable(
          'Workflow Keys',
          ['ID', 'NAME', 'FINGERPRINT', 'CREATED AT'],
          keys.map((item) => [item.id, item.name, item.fingerprint, formatTime(item.createdAt)]),
        ),
      );
    });

  key
    .command('remove')
    .description('remove a registered public key (stored attestations stay)')
    .requiredOption('--workflow <W>', 'workflow id or name')
    .requiredOption('--id <id>', 'key id (chainloop workflow key list)')
    .action(async (flags: { workflow: string; id: string }, command: Command) => {
      await (await adminClient(command)).removeWorkflowKey(flags.workflow, flags.id);
      if (outputFormat(command) === 'json') return printJson({ removed: flags.id });
      log.info(`key ${flags.id} removed from workflow ${flags.workflow}`);
    });

  const run = workflow.command('run').description('inspect workflow runs');

  run
    .command('list')
    .description('list workflow runs, newest first')
    .option('--workflow <W>', 'only runs of this workflow (id or name)')
    .option('--limit <N>', 'at most this many runs (default 100)', parseLimit)
    .action(async (flags: { workflow?: string; limit?: number }, command: Command) => {
      const runs = await (await adminClient(command)).listRuns(flags);
      if (outputFormat(command) === 'json') return printJson(runs);
      printLine(
        renderGridTable(
          'Workflow Runs',
          ['ID', 'WORKFLOW', 'STATUS', 'RUNNER', 'CONTRACT REVISION', 'CREATED AT', 'FINISHED AT'],
          runs.map((item) => [
            item.id,
            item.workflowName,
            item.status,
            item.runnerType,
            item.contractRevision,
            formatTime(item.createdAt),
            optionalTime(item.finishedAt),
          ]),
        ),
      );
    });

  run
    .command('describe')
    .description(
      'show a workflow run, its attestation digest and the policy evaluations it records; --verify checks its signature offline',
    )
    .requiredOption('--id <id>', 'workflow run id')
    .option(
      '--verify',
      "verify the run's attestation: keyless with the control plane's CA, key-signed with --key or the workflow's keys",
    )
    .option('--key <ref>', 'public key (cosign.pub) to verify with: file path or env://VAR')
    .option('--cert-chain <file>', 'CA certificate(s) PEM the signing certificate must chain to')
    .action(async (flags: { id: string; verify?: boolean; key?: string; certChain?: string }, command: Command) => {
      const client = await adminClient(command);
      const details: DescribedRun = await client.getRun(flags.id);
      const attestation = details.attestationDigest ? await client.getAttestation(details.id) : undefined;
      const verification = flags.verify
        ? await verifyRunAttestation(client, details, attestation?.bundle, flags)
        : undefined;
      const projectVersion = recordedProjectVersion(attestation?.bundle);
      if (outputFormat(command) === 'json') {
        return printJson({
          ...details,
          ...(projectVersion && { projectVersion }),
          attestation: attestation && JSON.parse(attestation.bundle),
          ...(verification && { verified: true, signedBy: verification }),
        });
      }
      const rows = runRows(details);
      if (projectVersion) rows.splice(2, 0, ['Project Version', projectVersion]);
      if (details.policies) rows.push(...policyFlagRows(details.policies));
      if (verification) rows.push(['Verified', `Yes, signed by ${verification}`]);
      printLine(renderKeyValueTable(rows, 'Workflow Run'));
      if (details.policies) printPolicyEvaluations(details.policies);
    });
}

/**
 * What GET /v1/runs/:id adds for a run with an attestation: the policy evaluations its signed statement records (the
 * control plane checks nothing about them; they ran in CI). Every text in it comes from the statement.
 */
interface RecordedPolicies {
  hasViolations: boolean;
  blockingStrategy: string;
  bypassed: boolean;
  attBlocked: boolean;
  evaluations: Array<{
    /** Empty for attestation-level policies. */
    materialName: string;
    name: string;
    reference?: { uri: string; digest: string };
    group?: string;
    gate: boolean;
    skipped: boolean;
    skipReasons: string[];
    violations: Array<{ subject: string; message: string }>;
  }>;
}

type DescribedRun = WorkflowRun & { policies?: RecordedPolicies };

function policyFlagRows(policies: RecordedPolicies): Array<[string, Cell]> {
  return [
    ['Policy Violations', policies.hasViolations],
    ['Policy Strategy', policies.blockingStrategy],
    ['Policy Check Bypassed', policies.bypassed],
    ['Blocked By Policies', policies.attBlocked],
  ];
}

/** `passed`, `1 violation`, `3 violations` or `skipped (<reasons>)`. */
function policyResult(evaluation: RecordedPolicies['evaluations'][number]): string {
  if (evaluation.skipped) {
    return evaluation.skipReasons.length > 0 ? `skipped (${evaluation.skipReasons.join('; ')})` : 'skipped';
  }
  const count = evaluation.violations.length;
  if (count === 0) return 'passed';
  return `${count} violation${count === 1 ? '' : 's'}`;
}

/** The evaluations as `attestation status` lists them, then each violation (subject, when it says more, and message). */
function printPolicyEvaluations(policies: RecordedPolicies): void {
  if (policies.evaluations.length === 0) return;
  const material = (name: string) => (name === '' ? '(attestation)' : name);
  printLine(
    renderGridTable(
      'Policy evaluations',
      ['MATERIAL', 'POLICY', 'RESULT', 'GATE'],
      policies.evaluations.map((evaluation) => [
        material(evaluation.materialName),
        evaluation.name,
        policyResult(evaluation),
        evaluation.gate,
      ]),
    ),
  );
  const violations = policies.evaluations.flatMap((evaluation) =>
    evaluation.violations.map((violation) => [
      material(evaluation.materialName),
      evaluation.name,
      violation.subject !== '' && violation.subject !== evaluation.name
        ? `${violation.subject}: ${violation.message}`
        : violation.message,
    ]),
  );
  if (violations.length > 0) {
    printLine(renderGridTable('Policy violations', ['MATERIAL', 'POLICY', 'VIOLATION'], violations));
  }
}

/**
 * The `metadata.projectVersion` the run's stored statement records (`attestation init --project-version`); undefined
 * without an attestation or a version.
 */
function recordedProjectVersion(bundle: string | undefined): string | undefined {
  if (bundle === undefined) return undefined;
  try {
    const parsed = JSON.parse(bundle);
    const envelope = parsed.dsseEnvelope ?? parsed;
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    const version = statement?.predicate?.metadata?.projectVersion;
    return typeof version === 'string' && version !== '' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies the stored bundle with the given trust, else with what the control plane knows: its signing CA for a
 * keyless bundle, the workflow's registered keys for a key-signed one. A bad signature fails the command (exit 1).
 */
async function verifyRunAttestation(
  client: ControlPlaneClient,
  run: WorkflowRun,
  bundle: string | undefined,
  flags: { key?: string; certChain?: string },
): Promise<string> {
  if (bundle === undefined) {
    throw new ChainloopError(
      'ATTESTATION_NOT_FOUND',
      `workflow run ${run.id} has no attestation to verify (status ${run.status})`,
    );
  }
  const { readKeyReference, verifyAttestation, isSigstoreBundle, readBundle } = await import(
    '@chainloop-ts/core/attestation'
  );
  const describe = (result: Awaited<ReturnType<typeof verifyAttestation>>) =>
    result.signer.kind === 'key' ? 'public key' : `certificate "${result.signer.subject.replace(/\n/g, ', ')}"`;
  if (flags.key) {
    return describe(
      await verifyAttestation(bundle, { publicKeyPem: await readKeyReference(flags.key, { what: 'public key' }) }),
    );
  }
  if (flags.certChain) {
    return describe(
      await verifyAttestation(bundle, { chainPem: await readKeyReference(flags.certChain, { what: 'CA chain' }) }),
    );
  }
  const parsed = JSON.parse(bundle) as unknown;
  const keyless = isSigstoreBundle(parsed) && readBundle(parsed).material.kind === 'certificate';
  if (keyless) {
    const { certificatePem } = await client.getSigningCa();
    return describe(await verifyAttestation(bundle, { chainPem: certificatePem }));
  }
  const keys = await client.listWorkflowKeys(run.workflowId);
  if (keys.length === 0) {
    throw new UsageError(
      'TRUST_MISSING',
      `--verify needs something to verify against: pass --key PUB or --cert-chain CHAIN (run ${run.id} is signed with a key and workflow ${run.workflowName} has no registered key)`,
    );
  }
  for (const registered of keys) {
    try {
      const result = await verifyAttestation(bundle, { publicKeyPem: registered.publicKeyPem });
      return `${describe(result)} ${registered.name} (${registered.fingerprint})`;
    } catch (error) {
      if (!(error instanceof ChainloopError)) throw error;
    }
  }
  throw new ChainloopError(
    'VERIFICATION_FAILED',
    `attestation verification failed: run ${run.id} does not verify with any of the ${keys.length} key(s) registered for workflow ${run.workflowName}: pass the signer's public key with --key`,
  );
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new UsageError('INVALID_LIMIT', `--limit "${value}" is not a number from 1 to 1000`);
  }
  return limit;
}

async function readContractFile(path: string): Promise<string> {
  try {
    const body = await readFile(path, 'utf8');
    if (body.trim() === '') {
      throw new UsageError(
        'CONTRACT_FILE_EMPTY',
        `contract file ${path} is empty: write the contract (YAML or JSON) into it`,
      );
    }
    return body;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new UsageError(
      'CONTRACT_FILE_UNREADABLE',
      `contract file ${path} ${reason}: pass --file with the path to a YAML or JSON contract`,
    );
  }
}
