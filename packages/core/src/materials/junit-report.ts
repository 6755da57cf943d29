/**
 * A JUnit XML report as data (what a policy rule reads): its suites, flattened (a nested `<testsuite>` is a suite of
 * its own), each with its test cases and their outcome. Counts are computed from the cases, not read from the
 * `tests`/`failures` attributes, which some tools leave out or get wrong.
 */
export type JUnitCaseStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface JUnitCase {
  name: string;
  classname: string;
  /** Seconds, 0 when the report does not say. */
  time: number;
  status: JUnitCaseStatus;
  /** The failure, error or skip message, when there is one. */
  message?: string;
}

export interface JUnitCounts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

export interface JUnitSuite extends JUnitCounts {
  name: string;
  cases: JUnitCase[];
}

export interface JUnitReport extends JUnitCounts {
  suites: JUnitSuite[];
  /** Every case of every suite, with its suite's name: CEL has no flatten, so rules iterate this. */
  cases: (JUnitCase & { suite: string })[];
}

type XmlNode = Record<string, unknown>;

const asList = (value: unknown): XmlNode[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => (isNode(v) ? v : {}));
const isNode = (value: unknown): value is XmlNode => typeof value === 'object' && value !== null;
const attribute = (node: XmlNode, name: string): string => {
  const value = node[`@_${name}`];
  return value === undefined ? '' : String(value);
};

/** Parses one report (already known to be well-formed JUnit: the material kind checked it). */
export async function parseJUnitReport(xml: string): Promise<JUnitReport> {
  const { XMLParser } = await import('fast-xml-parser');
  const document = new XMLParser({
    ignoreAttributes: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    parseAttributeValue: false,
  }).parse(xml) as XmlNode;
  const suites: JUnitSuite[] = [];
  const root = document.testsuites ?? document.testsuite;
  if (document.testsuites !== undefined) {
    for (const node of asList(root)) {
      for (const suite of asList(node.testsuite)) collectSuite(suite, suites);
      // Node's reporter writes top-level test()s as cases directly under <testsuites>.
      const loose = asList(node.testcase);
      if (loose.length > 0) suites.push(suiteOf(attribute(node, 'name'), loose));
    }
  } else for (const suite of asList(root)) collectSuite(suite, suites);
  return reportOf(suites);
}

/** One report over several (the files of a .zip or .tar.gz of reports). */
export function mergeReports(reports: JUnitReport[]): JUnitReport {
  return reportOf(reports.flatMap((report) => report.suites));
}

function reportOf(suites: JUnitSuite[]): JUnitReport {
  const cases = suites.flatMap((suite) => suite.cases.map((c) => ({ ...c, suite: suite.name })));
  return mergeCounts(suites, { suites, cases });
}

function collectSuite(node: XmlNode, into: JUnitSuite[]): void {
  into.push(suiteOf(attribute(node, 'name'), asList(node.testcase)));
  for (const nested of asList(node.testsuite)) collectSuite(nested, into);
}

function suiteOf(name: string, cases: XmlNode[]): JUnitSuite {
  const parsed = cases.map(caseOf);
  return mergeCounts([{ cases: parsed }], { name, cases: parsed });
}

function caseOf(node: XmlNode): JUnitCase {
  const outcome = (['failure', 'error', 'skipped'] as const).find((tag) => node[tag] !== undefined);
  const status: JUnitCaseStatus =
    outcome === 'failure' ? 'failed' : outcome === 'error' ? 'error' : outcome === 'skipped' ? 'skipped' : 'passed';
  const junitCase: JUnitCase = {
    name: attribute(node, 'name'),
    classname: attribute(node, 'classname'),
    time: Number(attribute(node, 'time')) || 0,
    status,
  };
  if (outcome !== undefined) {
    const detail = asList(node[outcome])[0] ?? {};
    const message =
      attribute(detail, 'message') || (typeof node[outcome] === 'string' ? (node[outcome] as string) : '');
    if (message !== '') junitCase.message = message;
  }
  return junitCase;
}

/** `into` with the counts of every case in `parts`. */
function mergeCounts<T>(parts: { cases: JUnitCase[] }[], into: T): T & JUnitCounts {
  const counts: JUnitCounts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  for (const c of parts.flatMap((part) => part.cases)) {
    counts.tests++;
    if (c.status === 'failed') counts.failures++;
    if (c.status === 'error') counts.errors++;
    if (c.status === 'skipped') counts.skipped++;
  }
  return { ...into, ...counts };
}
