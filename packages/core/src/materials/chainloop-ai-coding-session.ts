import type { ValidateFunction } from 'ajv';
import { ANNOTATION_AI_AGENT_NAME, ANNOTATION_EVIDENCE_SCHEMA } from './chainloop-ai-agent-config';
import { compileSchema, type GoShape, readAiEvidence } from './chainloop-ai-evidence';
import type { MaterialKind } from './kind';
// Vendored data (schemas/README.md): the ai-coding-session 0.1 schema Chainloop embeds (draft-07).
import aiCodingSessionSchema from './schemas/ai-coding-session-0.1.schema.json';

export const ANNOTATION_AI_AGENT_MODEL = 'chainloop.material.aiagent.model';

/**
 * Chainloop's aicodingsession.Data, the struct the crafter decodes `data` into (read from
 * pkg/attestation/crafter/materials/aicodingsession at 3b7599da, where 165659a's internal/aicodingsession moved; its
 * later `session.mode` is left out, the 0.1 schema vendored here refuses it anyway). The schema, not this shape,
 * refuses fields it does not know; this only adds Go's type checks where the schema leaves an object open (model,
 * usage, ...).
 */
const AI_CODING_SESSION_DATA: GoShape = {
  struct: {
    schema_version: 'string',
    agent: { struct: { name: 'string', version: 'string' } },
    session: {
      struct: {
        id: 'string',
        slug: 'string',
        started_at: 'string',
        ended_at: 'string',
        duration_seconds: 'int',
      },
    },
    git_context: {
      struct: {
        repository: 'string',
        branch: 'string',
        work_dir: 'string',
        commit_start: 'string',
        commit_end: 'string',
        commits: { slice: 'string' },
        commit_count: 'int',
      },
      nullable: true,
    },
    code_changes: {
      struct: {
        files_modified: 'int',
        files_created: 'int',
        files_deleted: 'int',
        lines_added: 'int',
        lines_removed: 'int',
        ai_lines_added: 'int',
        ai_lines_removed: 'int',
        human_lines_added: 'int',
        human_lines_removed: 'int',
        files: {
          slice: {
            struct: {
              path: 'string',
              status: 'string',
              lines_added: 'int',
              lines_removed: 'int',
              attribution: 'string',
              line_ranges: { slice: { struct: { start: 'int', end: 'int' } } },
              session_ids: { slice: 'string' },
            },
          },
        },
      },
      nullable: true,
    },
    model: { struct: { primary: 'string', provider: 'string', models_used: { slice: 'string' } }, nullable: true },
    usage: {
      struct: {
        input_tokens: 'int',
        output_tokens: 'int',
        total_tokens: 'int',
        cache_read_input_tokens: 'int',
        cache_creation_input_tokens: 'int',
        estimated_cost_usd: 'float',
      },
      nullable: true,
    },
    tools_used: {
      struct: {
        summary: { slice: { struct: { tool_name: 'string', invocation_count: 'int' } } },
        total_invocations: 'int',
      },
      nullable: true,
    },
    conversation: {
      struct: { total_messages: 'int', user_messages: 'int', assistant_messages: 'int' },
      nullable: true,
    },
    subagents: {
      slice: {
        struct: {
          id: 'string',
          type: 'string',
          description: 'string',
          tokens: { struct: { input: 'int', output: 'int' } },
        },
      },
    },
    raw_session: { map: { slice: 'any' } },
    warnings: { slice: 'string' },
  },
};

interface AiCodingSessionData {
  agent?: { name?: string };
  model?: { primary?: string };
}

let validator: ValidateFunction | undefined;

async function aiCodingSessionValidator(): Promise<ValidateFunction> {
  validator ??= await compileSchema(aiCodingSessionSchema);
  return validator;
}

/**
 * An AI coding session's telemetry: `data` must decode into Chainloop's Go struct and pass the ai-coding-session 0.1
 * schema as written (schema_version, agent.name, session id/started_at/duration_seconds; no field outside the
 * schema). Records the envelope's schema, the agent name and the primary model, as Chainloop does.
 */
export const chainloopAiCodingSessionKind: MaterialKind = {
  kind: 'CHAINLOOP_AI_CODING_SESSION',
  detectionOrder: 27,
  async inspect(input) {
    const { file, schema, data } = await readAiEvidence<AiCodingSessionData>(
      input,
      'CHAINLOOP_AI_CODING_SESSION',
      AI_CODING_SESSION_DATA,
      aiCodingSessionValidator,
      'ai-coding-session 0.1',
    );
    const annotations: Record<string, string> = {};
    if (schema !== '') annotations[ANNOTATION_EVIDENCE_SCHEMA] = schema;
    if (data.agent?.name) annotations[ANNOTATION_AI_AGENT_NAME] = data.agent.name;
    if (data.model?.primary) annotations[ANNOTATION_AI_AGENT_MODEL] = data.model.primary;
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
