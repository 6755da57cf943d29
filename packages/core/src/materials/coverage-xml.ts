import type { MaterialKindName } from '../contract/model';
import { fileFormat, readDocumentText } from './file-content';
import type { MaterialInput } from './kind';
import { materialInvalid } from './material-error';
import { type MaterialFile, requireMaterialFile } from './material-file';

export type XmlElement = { name: string; attributes: Record<string, string>; children: XmlElement[] };

/** Parses an XML material into its root element (attributes as strings), refusing anything not well-formed XML. */
export async function readXmlRoot(
  input: MaterialInput,
  kind: MaterialKindName,
): Promise<{ file: MaterialFile; root: XmlElement }> {
  const file = await requireMaterialFile(input);
  const refuse = (reason: string, cause?: unknown) =>
    materialInvalid(input.name, `file ${file.given}`, kind, reason, cause);
  if ((await fileFormat(input, file)) !== 'xml') throw refuse('it is not XML');
  const text = await readDocumentText(input, file, kind);
  const { XMLParser, XMLValidator } = await import('fast-xml-parser');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw refuse(`it is not well-formed XML (${valid.err.msg}, line ${valid.err.line})`);
  const nodes = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: false,
  }).parse(text) as unknown[];
  const root = nodes.map(toElement).find((element) => element !== undefined);
  if (root === undefined) throw refuse('it has no root element');
  return { file, root };
}

function toElement(node: unknown): XmlElement | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const entries = Object.entries(node as Record<string, unknown>);
  const element = entries.find(([key]) => key !== ':@' && key !== '#text' && key !== '#comment');
  if (!element) return undefined;
  const [name, children] = element;
  const attributes = ((node as Record<string, unknown>)[':@'] ?? {}) as Record<string, string>;
  return {
    name,
    attributes,
    children: Array.isArray(children) ? children.map(toElement).filter((c) => c !== undefined) : [],
  };
}

/** An integer attribute as Go's encoding/xml reads it: absent or empty is 0, anything else must parse. */
export function intAttribute(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return 0;
  return /^[+-]?\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
}
