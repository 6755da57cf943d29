import { parse } from 'yaml';
import { ArchiveError, readTarEntries } from './archive-entries';
import { fileFormat, isObject, nonEmptyString } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { requireMaterialFile } from './material-file';

/** `Chart.yaml` / `values.yaml` of the chart itself: at the top or one folder down, not in a subchart. */
function chartFile(path: string): 'Chart.yaml' | 'values.yaml' | undefined {
  const parts = path.replace(/^\.\//, '').split('/');
  if (parts.length > 2) return undefined;
  const name = parts[parts.length - 1];
  return name === 'Chart.yaml' || name === 'values.yaml' ? name : undefined;
}

/** A packaged chart (`helm package` output): a gzipped tar with a valid Chart.yaml and a values.yaml (may be empty). */
export const helmChartKind: MaterialKind = {
  kind: 'HELM_CHART',
  detectionOrder: 19,
  async inspect(input) {
    if (input.value.startsWith('oci://')) {
      throw materialInvalid(
        input.name,
        `chart reference ${input.value}`,
        'HELM_CHART',
        'charts in OCI registries are not supported yet; pull it (helm pull) and give the .tgz',
      );
    }
    const file = await requireMaterialFile(input);
    const refuse = (reason: string, cause?: unknown) =>
      materialInvalid(input.name, `file ${file.given}`, 'HELM_CHART', reason, cause);
    if ((await fileFormat(input, file)) !== 'gzip') throw refuse('it is not a gzipped tar (.tgz) chart package');
    let entries: Awaited<ReturnType<typeof readTarEntries>>;
    try {
      entries = await readTarEntries(file.path, (path) => chartFile(path) !== undefined);
    } catch (error) {
      if (error instanceof ArchiveError) throw refuse(error.message, error);
      throw error;
    }
    const chart = entries.find((entry) => chartFile(entry.path) === 'Chart.yaml');
    const values = entries.find((entry) => chartFile(entry.path) === 'values.yaml');
    if (chart === undefined) throw refuse('Chart.yaml is missing');
    if (values === undefined) throw refuse('values.yaml is missing');
    let metadata: unknown;
    try {
      metadata = parse(chart.content.toString('utf8'));
    } catch (error) {
      throw refuse(`${chart.path} is not valid YAML`, error);
    }
    if (!isObject(metadata)) throw refuse(`${chart.path} is not a YAML mapping`);
    for (const field of ['apiVersion', 'name', 'version']) {
      if (!nonEmptyString(metadata[field])) throw refuse(`${chart.path} has no ${field}`);
    }
    try {
      const parsed = parse(values.content.toString('utf8'));
      if (parsed !== null && parsed !== undefined && !isObject(parsed)) throw new Error('not a mapping');
    } catch (error) {
      throw refuse(`${values.path} is not a YAML mapping`, error);
    }
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations: {} };
  },
};
