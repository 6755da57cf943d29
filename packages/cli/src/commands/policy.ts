import { readFile } from 'node:fs/promises';
import { UsageError } from '@chainloop-ts/core';
import type { ControlPlaneClient, StoredPolicy, StoredPolicySummary } from '@chainloop-ts/core/client';
import type { Command } from 'commander';
import { outputFormat } from '../context';
import { type Cell, log, printJson, printLine, renderGridTable, renderKeyValueTable } from '../output';
import { formatInitializedAt as formatTime } from './attestation/status-view';
import { adminClient } from './workflow';

/** What differs between `chainloop policy` and `chainloop policy-group`. */
interface StoredDocumentCommands {
  command: string;
  /** `policy`, `policy group`: what messages and help call it. */
  what: string;
  /** The document's `kind:`. */
  kind: 'Policy' | 'PolicyGroup';
  /** Table titles. */
  title: string;
  listTitle: string;
  /** Whether tables show the material kinds (policies evaluate kinds; groups bundle policies). */
  showKinds: boolean;
  create(client: ControlPlaneClient, body: string): Promise<StoredPolicy>;
  list(client: ControlPlaneClient): Promise<StoredPolicySummary[]>;
  get(client: ControlPlaneClient, name: string, revision?: number): Promise<StoredPolicy>;
}

const POLICY: StoredDocumentCommands = {
  command: 'policy',
  what: 'policy',
  kind: 'Policy',
  title: 'Policy',
  listTitle: 'Policies',
  showKinds: true,
  create: (client, body) => client.createPolicy(body),
  list: (client) => client.listPolicies(),
  get: (client, name, revision) => client.getPolicy(name, revision),
};

const POLICY_GROUP: StoredDocumentCommands = {
  command: 'policy-group',
  what: 'policy group',
  kind: 'PolicyGroup',
  title: 'Policy Group',
  listTitle: 'Policy Groups',
  showKinds: false,
  create: (client, body) => client.createPolicyGroup(body),
  list: (client) => client.listPolicyGroups(),
  get: (client, name, revision) => client.getPolicyGroup(name, revision),
};

// policy create|update|list|describe and policy-group create|update|list|describe (admin token).
export function registerPolicyCommands(program: Command): void {
  registerPolicySettingsCommand(registerStoredDocumentCommands(program, POLICY));
  registerStoredDocumentCommands(program, POLICY_GROUP);
}

/**
 * `policy settings [--block-on-violation true|false]`: the organisation's policy strategy (Chainloop's
 * `block_on_policy_violation`). ENFORCED: any violation blocks attestation push; ADVISORY: only gated policies do.
 */
function registerPolicySettingsCommand(policy: Command): void {
  policy
    .command('settings')
    .description(
      "show the organisation's policy violation strategy, or change it with --block-on-violation: true (ENFORCED, any violation blocks attestation push) or false (ADVISORY, only gated policies do); attestations read it at init",
    )
    .option('--block-on-violation <true|false>', 'block attestation push on any policy violation', parseBoolean)
    .action(async (flags: { blockOnViolation?: boolean }, command: Command) => {
      const client = await adminClient(command);
      const settings =
        flags.blockOnViolation === undefined
          ? await client.getPolicySettings()
          : await client.setPolicySettings({ blockOnPolicyViolation: flags.blockOnViolation });
      const strategy = settings.blockOnPolicyViolation ? 'ENFORCED' : 'ADVISORY';
      if (flags.blockOnViolation !== undefined) {
        log.info(
          `policy violation strategy set to ${strategy}: attestations initialized from now on use it (those in progress keep the one they started with)`,
        );
      }
      if (outputFormat(command) === 'json') return printJson(settings);
      printLine(
        renderKeyValueTable(
          [
            ['Policy violation strategy', strategy],
            ['Block on policy violation', settings.blockOnPolicyViolation ? 'true' : 'false'],
          ],
          'Policy Settings',
        ),
      );
    });
}

function parseBoolean(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new UsageError(
    'INVALID_BOOLEAN',
    `--block-on-violation "${value}" is not true or false: pass true (ENFORCED) or false (ADVISORY)`,
  );
}

function registerStoredDocumentCommands(program: Command, spec: StoredDocumentCommands): Command {
  const group = program
    .command(spec.command)
    .description(
      `manage the ${spec.what === 'policy' ? 'policies' : 'policy groups'} stored in the control plane, which contracts refer to as ref: name[@revision] (admin token)`,
    );

  group
    .command('create')
    .alias('update')
    .description(
      `store a ${spec.what} document (kind: ${spec.kind}, YAML or JSON) under its metadata.name; a changed document becomes the next revision, an unchanged one keeps the latest`,
    )
    .requiredOption('-f, --file <path>', `${spec.what} file, YAML or JSON`)
    .action(async (flags: { file: string }, command: Command) => {
      const body = await readDocumentFile(spec, flags.file);
      const stored = await spec.create(await adminClient(command), body);
      if (outputFormat(command) === 'json') return printJson(stored);
      log.info(`${spec.what} ${stored.name}: revision ${stored.revision} is the latest`);
      printLine(renderKeyValueTable(documentRows(spec, stored), spec.title));
    });

  group
    .command('list')
    .description(
      `list the stored ${spec.what === 'policy' ? 'policies' : 'policy groups'}, each at its latest revision`,
    )
    .action(async (_flags: unknown, command: Command) => {
      const documents = await spec.list(await adminClient(command));
      if (outputFormat(command) === 'json') return printJson(documents);
      const head = ['NAME', 'REVISION', ...(spec.showKinds ? ['KINDS'] : []), 'DESCRIPTION', 'CREATED AT'];
      printLine(
        renderGridTable(
          spec.listTitle,
          head,
          documents.map((item) => [
            item.name,
            item.revision,
            ...(spec.showKinds ? [(item.kinds ?? []).join(', ')] : []),
            item.description,
            formatTime(item.createdAt),
          ]),
        ),
      );
    });

  group
    .command('describe')
    .description(`show the latest revision of a ${spec.what}, or the given one, and its document`)
    .requiredOption('--name <name>', `${spec.what} name (its metadata.name)`)
    .option('--revision <N>', `${spec.what} revision (default: latest)`, parseRevision)
    .action(async (flags: { name: string; revision?: number }, command: Command) => {
      const stored = await spec.get(await adminClient(command), flags.name, flags.revision);
      if (outputFormat(command) === 'json') return printJson(stored);
      printLine(renderKeyValueTable(documentRows(spec, stored), spec.title));
      printLine(stored.body.replace(/\n$/, ''));
    });
  return group;
}

function parseRevision(value: string): number {
  const revision = Number(value);
  if (!Number.isInteger(revision) || revision < 1) {
    throw new UsageError('INVALID_REVISION', `--revision "${value}" is not a revision number: use 1, 2, …`);
  }
  return revision;
}

function documentRows(spec: StoredDocumentCommands, stored: StoredPolicySummary): Array<[string, Cell]> {
  const rows: Array<[string, Cell]> = [
    ['Name', stored.name],
    ['Revision', stored.revision],
    ['Digest', stored.digest],
    ['Description', stored.description],
  ];
  if (spec.showKinds) rows.push(['Kinds', (stored.kinds ?? []).join(', ')]);
  rows.push(
    ['Reference', `chainloop://${stored.name}@${stored.revision}`],
    ['Created At', formatTime(stored.createdAt)],
  );
  return rows;
}

async function readDocumentFile(spec: StoredDocumentCommands, path: string): Promise<string> {
  let body: string;
  try {
    body = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new UsageError(
      'POLICY_FILE_UNREADABLE',
      `${spec.what} file ${path} ${reason}: pass --file with the path to a YAML or JSON ${spec.kind} document`,
    );
  }
  if (body.trim() === '') {
    throw new UsageError(
      'POLICY_FILE_EMPTY',
      `${spec.what} file ${path} is empty: write the ${spec.kind} document (YAML or JSON) into it`,
    );
  }
  return body;
}
