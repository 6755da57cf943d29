import { isObject, nonEmptyString, readJsonMaterial } from './file-content';
import type { MaterialKind } from './kind';
import { materialInvalid } from './material-error';
import { toolAnnotations } from './tool-annotations';

const SCAN_TYPES = [
  'sast',
  'dast',
  'api_fuzzing',
  'coverage_fuzzing',
  'secret_detection',
  'dependency_scanning',
  'container_scanning',
  'container_scanning_for_registry',
  'cluster_image_scanning',
];

/** A GitLab security report (gl-*-report.json): a known `scan.type`; the tool from `scan.scanner` or `scan.analyzer`. */
export const gitlabSecurityReportKind: MaterialKind = {
  kind: 'GITLAB_SECURITY_REPORT',
  detectionOrder: 8,
  async inspect(input) {
    const { file, json } = await readJsonMaterial(input, 'GITLAB_SECURITY_REPORT');
    const refuse = (reason: string) =>
      materialInvalid(input.name, `file ${file.given}`, 'GITLAB_SECURITY_REPORT', reason);
    if (!isObject(json) || !isObject(json.scan)) throw refuse('it has no "scan" object');
    const type = json.scan.type;
    if (typeof type !== 'string' || !SCAN_TYPES.includes(type)) {
      throw refuse(`scan.type ${JSON.stringify(type ?? null)} is not one of ${SCAN_TYPES.join(', ')}`);
    }
    const tool = [json.scan.scanner, json.scan.analyzer].find((t) => isObject(t) && nonEmptyString(t.name)) as
      | { name: string; version?: unknown }
      | undefined;
    const annotations = tool
      ? toolAnnotations([{ name: tool.name, version: typeof tool.version === 'string' ? tool.version : undefined }])
      : {};
    return { shape: 'file', path: file.path, fileName: file.fileName, annotations };
  },
};
