import { intAttribute, readXmlRoot } from './coverage-xml';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/**
 * A JaCoCo XML coverage report: the root's `<counter>` children (Chainloop unmarshals them whatever the root is
 * called), at least one, and one of type INSTRUCTION — JaCoCo always writes it. No annotations.
 */
export const jacocoXmlKind: MaterialKind = {
  kind: 'JACOCO_XML',
  detectionOrder: 17,
  async inspect(input) {
    const { file, root } = await readXmlRoot(input, 'JACOCO_XML');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'JACOCO_XML', reason);
    const counters = root.children.filter((child) => child.name === 'counter');
    for (const counter of counters) {
      for (const attribute of ['missed', 'covered']) {
        if (intAttribute(counter.attributes[attribute]) === undefined) {
          throw refuse(`counter ${attribute}="${counter.attributes[attribute]}" is not an integer`);
        }
      }
    }
    if (counters.length === 0) throw refuse(`<${root.name}> has no <counter> elements`);
    if (!counters.some((counter) => counter.attributes.type === 'INSTRUCTION')) {
      throw refuse('it has no INSTRUCTION counter');
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
