import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { readTextMaterial } from './structured-document';

/** Definitions a schema document (SDL) may hold; an operation or fragment makes it a query document instead. */
const SDL_DEFINITIONS = new Set([
  'SchemaDefinition',
  'SchemaExtension',
  'ScalarTypeDefinition',
  'ObjectTypeDefinition',
  'InterfaceTypeDefinition',
  'UnionTypeDefinition',
  'EnumTypeDefinition',
  'InputObjectTypeDefinition',
  'DirectiveDefinition',
  'ScalarTypeExtension',
  'ObjectTypeExtension',
  'InterfaceTypeExtension',
  'UnionTypeExtension',
  'EnumTypeExtension',
  'InputObjectTypeExtension',
]);

/** SDL starts (after comments and blank lines) with a definition keyword or a description string. */
function sdlStart(head: string): boolean {
  const first = head.replace(/^\uFEFF/, '').replace(/^(\s|,|#[^\n]*)*/, '');
  return first === '' || /^("|(schema|extend|scalar|type|interface|union|enum|input|directive)\b)/.test(first);
}

/**
 * A GraphQL schema in SDL. Annotations as Chainloop records them: `type_count`, the number of type definitions
 * (not extensions, directives or the schema block), and `directives`, the directive definitions' names sorted and
 * comma-joined (absent when there are none).
 */
export const graphqlSpecKind: MaterialKind = {
  kind: 'GRAPHQL_SPEC',
  detectionOrder: 15,
  async inspect(input) {
    const { file, text } = await readTextMaterial(input, 'GRAPHQL_SPEC', sdlStart);
    const refuse = (reason: string, cause?: unknown) =>
      materialInvalid(input.name, `file ${file.given}`, 'GRAPHQL_SPEC', reason, cause);
    const { parse } = await import('graphql');
    let document: import('graphql').DocumentNode;
    try {
      document = parse(text, { noLocation: true });
    } catch (error) {
      throw refuse(`it is not GraphQL SDL (${(error as Error).message.split('\n')[0]})`, error);
    }
    const other = document.definitions.find((definition) => !SDL_DEFINITIONS.has(definition.kind));
    if (other !== undefined) throw refuse(`it holds a ${other.kind}, not only schema definitions`);
    const typeCount = document.definitions.filter((d) => d.kind.endsWith('TypeDefinition')).length;
    const directives = document.definitions
      .flatMap((d) => (d.kind === 'DirectiveDefinition' ? [d.name.value] : []))
      .sort();
    const annotations: Record<string, string> = { 'chainloop.material.graphql.type_count': String(typeCount) };
    if (directives.length > 0) annotations['chainloop.material.graphql.directives'] = directives.join(',');
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
