import type { ValidateFunction } from 'ajv';
import { compileSchema, type GoShape, readAiEvidence } from './chainloop-ai-evidence';
import type { MaterialKind } from './kind';
// Vendored data (schemas/README.md): the ai-agent-config 0.1 schema Chainloop embeds (draft-07).
import aiAgentConfigSchema from './schemas/ai-agent-config-0.1.schema.json';

export const ANNOTATION_AI_AGENT_NAME = 'chainloop.material.aiagent.name';
export const ANNOTATION_EVIDENCE_SCHEMA = 'chainloop.material.evidence.schema';

/** Chainloop's internal/aiagentconfig.Data, the struct the crafter decodes `data` into (0cc0c99). */
const AI_AGENT_CONFIG_DATA: GoShape = {
  struct: {
    agent: { struct: { name: 'string', version: 'string' } },
    config_hash: 'string',
    git_context: { struct: { repository: 'string', branch: 'string', commit_sha: 'string' }, nullable: true },
    config_files: {
      slice: { struct: { path: 'string', kind: 'string', sha256: 'string', size: 'int', content: 'string' } },
    },
    permissions: 'any',
    mcp_servers: {
      slice: {
        struct: {
          name: 'string',
          command: 'string',
          args: { slice: 'string' },
          url: 'string',
          env_keys: { slice: 'string' },
          disabled: 'bool',
        },
      },
    },
    subagents: 'any',
  },
};

let validator: ValidateFunction | undefined;

async function aiAgentConfigValidator(): Promise<ValidateFunction> {
  validator ??= await compileSchema(aiAgentConfigSchema);
  return validator;
}

/**
 * An AI agent's configuration evidence: `data` must decode into Chainloop's Go struct and pass the ai-agent-config
 * 0.1 schema as written (agent, config_hash and config_files with path/kind/sha256/size/content; no field outside
 * the schema). Records the envelope's schema and the agent name, as Chainloop does.
 */
export const chainloopAiAgentConfigKind: MaterialKind = {
  kind: 'CHAINLOOP_AI_AGENT_CONFIG',
  detectionOrder: 26,
  async inspect(input) {
    const { file, schema, data } = await readAiEvidence<{ agent?: { name?: string } }>(
      input,
      'CHAINLOOP_AI_AGENT_CONFIG',
      AI_AGENT_CONFIG_DATA,
      aiAgentConfigValidator,
      'ai-agent-config 0.1',
    );
    const annotations: Record<string, string> = {};
    if (schema !== '') annotations[ANNOTATION_EVIDENCE_SCHEMA] = schema;
    if (data.agent?.name) annotations[ANNOTATION_AI_AGENT_NAME] = data.agent.name;
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
