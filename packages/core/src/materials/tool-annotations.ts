/** A producing tool as SBOMs and reports name it. */
export interface ToolInfo {
  name: string;
  version?: string;
}

export const ANNOTATION_TOOL_NAME = 'chainloop.material.tool.name';
export const ANNOTATION_TOOL_VERSION = 'chainloop.material.tool.version';
export const ANNOTATION_TOOLS = 'chainloop.material.tools';

/**
 * `tool.name` / `tool.version` for the first tool (the legacy keys) and `tools`, a JSON array of `name@version`
 * (just `name` when a tool has no version, so no entry ends in a bare `@`).
 */
export function toolAnnotations(tools: ToolInfo[]): Record<string, string> {
  const named = tools.filter((tool) => tool.name !== '');
  if (named.length === 0) return {};
  const [first] = named;
  const annotations: Record<string, string> = { [ANNOTATION_TOOL_NAME]: first.name };
  if (first.version) annotations[ANNOTATION_TOOL_VERSION] = first.version;
  annotations[ANNOTATION_TOOLS] = JSON.stringify(
    named.map((tool) => (tool.version ? `${tool.name}@${tool.version}` : tool.name)),
  );
  return annotations;
}
