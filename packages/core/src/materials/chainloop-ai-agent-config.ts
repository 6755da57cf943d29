import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

export const ANNOTATION_AI_AGENT_NAME = 'chainloop.material.aiagent.name';

/**
 * An AI agent's configuration evidence: `data` with the agent's name and its config files. Chainloop validates
 * `data` against ai-agent-config 0.1; that schema is not vendored yet, so these are the structural checks of its
 * required fields.
 */
export const chainloopAiAgentConfigKind: MaterialKind = {
  kind: 'CHAINLOOP_AI_AGENT_CONFIG',
  detectionOrder: 26,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'CHAINLOOP_AI_AGENT_CONFIG');
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'CHAINLOOP_AI_AGENT_CONFIG', reason);
    if (!isObject(json) || !isObject(json.data)) throw refuse('data is missing');
    const { data } = json;
    if (!isObject(data.agent) || !nonEmptyString(data.agent.name)) throw refuse('data.agent.name is missing');
    if (!Array.isArray(data.config_files)) throw refuse('data.config_files is missing');
    data.config_files.forEach((entry, index) => {
      if (!isObject(entry) || typeof entry.path !== 'string' || typeof entry.sha256 !== 'string') {
        throw refuse(`data.config_files[${index}] needs a path and a sha256`);
      }
    });
    return {
      shape: 'file',
      path: file.path,
      fileName: file.fileName,
      annotations: { [ANNOTATION_AI_AGENT_NAME]: data.agent.name },
    };
  },
};
