import { ANNOTATION_AI_AGENT_NAME } from './chainloop-ai-agent-config';
import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/**
 * An AI coding session's telemetry: `data` with a schema version, the agent and the session. Chainloop validates
 * `data` against ai-coding-session 0.1; that schema is not vendored yet, so these are the structural checks of its
 * required fields. Records the envelope schema, the agent name and the primary model.
 */
export const chainloopAiCodingSessionKind: MaterialKind = {
  kind: 'CHAINLOOP_AI_CODING_SESSION',
  detectionOrder: 27,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHAINLOOP_AI_CODING_SESSION');
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'CHAINLOOP_AI_CODING_SESSION', reason);
    if (!isObject(json) || !isObject(json.data)) throw refuse('data is missing');
    const { data } = json;
    if (!nonEmptyString(data.schema_version)) throw refuse('data.schema_version is missing');
    if (!isObject(data.agent) || !nonEmptyString(data.agent.name)) throw refuse('data.agent.name is missing');
    if (!isObject(data.session) || !nonEmptyString(data.session.id)) throw refuse('data.session.id is missing');
    const annotations: Record<string, string> = {};
    if (nonEmptyString(json.schema)) annotations['chainloop.material.evidence.schema'] = json.schema;
    annotations[ANNOTATION_AI_AGENT_NAME] = data.agent.name;
    if (isObject(data.model) && nonEmptyString(data.model.primary)) {
      annotations['chainloop.material.aiagent.model'] = data.model.primary;
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
