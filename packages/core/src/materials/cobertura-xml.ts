import { intAttribute, readXmlRoot } from './coverage-xml';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';

/** Go's strconv.ParseFloat on an attribute: absent or empty is 0; NaN and Inf parse. */
function rate(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return 0;
  const text = value.trim();
  if (/^[+-]?(nan|inf|infinity)$/i.test(text)) return text.toLowerCase().includes('nan') ? Number.NaN : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : undefined;
}

/**
 * A Cobertura XML coverage report: the root must be `<coverage>`; a report with a zero line-rate and no packages
 * carries no data and is refused, while a NaN line-rate (an empty but valid report) and real 0% coverage (with
 * packages) are accepted. No annotations.
 */
export const coberturaXmlKind: MaterialKind = {
  kind: 'COBERTURA_XML',
  detectionOrder: 18,
  async inspect(input) {
    const { file, root } = await readXmlRoot(input, 'COBERTURA_XML');
    const refuse = (reason: string) => materialInvalid(input.name, `file ${file.given}`, 'COBERTURA_XML', reason);
    if (root.name !== 'coverage') throw refuse(`the root element is <${root.name}>, expected <coverage>`);
    for (const attribute of ['line-rate', 'branch-rate', 'complexity']) {
      if (rate(root.attributes[attribute]) === undefined) throw refuse(`${attribute} is not a number`);
    }
    for (const attribute of ['lines-covered', 'lines-valid', 'branches-covered', 'branches-valid', 'timestamp']) {
      if (intAttribute(root.attributes[attribute]) === undefined) throw refuse(`${attribute} is not an integer`);
    }
    const packages = root.children
      .filter((child) => child.name === 'packages')
      .flatMap((list) => list.children.filter((child) => child.name === 'package'));
    if (rate(root.attributes['line-rate']) === 0 && packages.length === 0) {
      throw refuse('it has no coverage data (line-rate 0 and no packages)');
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
