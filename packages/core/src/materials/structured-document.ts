import { open } from 'node:fs/promises';
import type { MaterialKindName } from '../contract/model';
import { fileFormat, isObject, readDocumentText } from './file-content';
import type { MaterialInput } from './kind';
import { materialInvalid } from './material-error';
import { type MaterialFile, requireMaterialFile } from './material-file';

async function headOf(file: MaterialFile): Promise<Buffer> {
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Reads a text material (not JSON-only): refuses archives, XML and binaries before reading the whole file. */
export async function readTextMaterial(
  input: MaterialInput,
  kind: MaterialKindName,
  plausible: (head: string) => boolean = () => true,
): Promise<{ file: MaterialFile; text: string }> {
  const file = await requireMaterialFile(input);
  const format = await fileFormat(input, file);
  if (format === 'zip' || format === 'gzip' || format === 'xml') {
    throw materialInvalid(input.name, `file ${file.given}`, kind, 'it is not a text document');
  }
  // The first bytes decide whether the whole file is worth reading: a binary (a NUL) or text that cannot start such
  // a document is refused without reading a large file whole during auto-detection.
  if (format === 'other') {
    const head = await headOf(file);
    if (head.includes(0) || !plausible(head.toString('utf8'))) {
      throw materialInvalid(input.name, `file ${file.given}`, kind, 'it does not start like one');
    }
  }
  return { file, text: await readDocumentText(input, file, kind) };
}

/** JSON, else YAML (as Chainloop: json.Unmarshal, then yaml.Unmarshal): the document must be an object. */
export async function readJsonOrYamlObject(
  input: MaterialInput,
  kind: MaterialKindName,
): Promise<{ file: MaterialFile; doc: Record<string, unknown> }> {
  // A YAML mapping has a `key:` in its first lines (or starts with a directive, a document marker or a comment).
  const yamlStart = (head: string) => /^\s*(---|%|#)|:(\s|$)/m.test(head);
  const { file, text } = await readTextMaterial(input, kind, yamlStart);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      const YAML = await import('yaml');
      doc = YAML.parse(text, { maxAliasCount: 100 });
    } catch (error) {
      throw materialInvalid(input.name, `file ${file.given}`, kind, 'it is neither JSON nor YAML', error);
    }
  }
  if (!isObject(doc)) throw materialInvalid(input.name, `file ${file.given}`, kind, 'it is not a JSON or YAML object');
  return { file, doc };
}
