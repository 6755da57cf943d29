import { readFile } from 'node:fs/promises';
import { ArchiveError, readTarEntries, readZipEntries } from './archive-entries';
import { fileFormat, MAX_PARSED_DOCUMENT_BYTES } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { requireMaterialFile } from './material-file';

const isXmlEntry = (path: string) => path.toLowerCase().endsWith('.xml') && !path.split('/').pop()!.startsWith('._');

/**
 * JUnit XML: a single report, or a .zip / .tar.gz of reports (every `.xml` entry must be a report); at least one
 * test suite in all. The original file or archive is what gets uploaded. Reports as the common tools write them are
 * accepted: JUnit 5 / Maven Surefire (`<testsuite>` root), pytest, go-junit-report and Node's own reporter
 * (`<testsuites>` root), including Node's top-level `test()`s, which it writes as `<testcase>`s directly under
 * `<testsuites>` (Chainloop's go-junit only counts `<testsuite>` elements, so it refuses those).
 */
export const junitXmlKind: MaterialKind = {
  kind: 'JUNIT_XML',
  detectionOrder: 16,
  async inspect(input) {
    const file = await requireMaterialFile(input);
    const refuse = (reason: string, cause?: unknown) =>
      materialInvalid(input.name, `file ${file.given}`, 'JUNIT_XML', reason, cause);
    const format = await fileFormat(input, file);
    let reports: { path: string; content: Buffer }[];
    try {
      if (format === 'zip') reports = await readZipEntries(file.path, isXmlEntry);
      else if (format === 'gzip') reports = await readTarEntries(file.path, isXmlEntry);
      else if (format === 'xml') {
        if (file.size > MAX_PARSED_DOCUMENT_BYTES) throw refuse('too large to parse');
        reports = [{ path: file.fileName, content: await readFile(file.path) }];
      } else throw refuse('it is neither XML nor a .zip or .tar.gz of XML reports');
    } catch (error) {
      if (error instanceof ArchiveError) throw refuse(error.message, error);
      throw error;
    }
    if (reports.length === 0) throw refuse('the archive holds no .xml file');
    let suites = 0;
    for (const report of reports) {
      const counted = await countTestSuites(report.content.toString('utf8'));
      if (typeof counted === 'string') {
        throw refuse(format === 'xml' ? counted : `${report.path}: ${counted}`);
      }
      suites += counted;
    }
    if (suites === 0) throw refuse('no test suite found');
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};

/**
 * Number of test suites of a report, or why it is not a JUnit report: its `<testsuite>` elements, plus one for the
 * `<testcase>`s that stand directly under `<testsuites>` (the suite-less tests of Node's `--test-reporter=junit`).
 */
async function countTestSuites(xml: string): Promise<number | string> {
  const { XMLParser, XMLValidator } = await import('fast-xml-parser');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return `not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`;
  const document = new XMLParser({ ignoreAttributes: true, ignoreDeclaration: true, ignorePiTags: true }).parse(xml);
  const roots = Object.keys(document).filter((key) => key !== '#text');
  const root = roots[0];
  if (root === 'testsuite') return 1;
  if (root !== 'testsuites') {
    return `the root element is <${root ?? 'none'}>, expected <testsuites> or <testsuite>`;
  }
  return countSuitesUnder(document.testsuites);
}

function countSuitesUnder(node: unknown): number {
  if (typeof node !== 'object' || node === null) return 0;
  const { testsuite, testcase } = node as Record<string, unknown>;
  const suites = testsuite === undefined ? 0 : Array.isArray(testsuite) ? testsuite.length : 1;
  return suites + (testcase === undefined ? 0 : 1);
}
