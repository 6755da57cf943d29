import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { materialKind } from '@chainloop-ts/core/materials';
import { create } from 'tar';
import { fixtureDir, VECTORS } from './fixture-dir';

const helm = materialKind('HELM_CHART');
const inspect = (value: string, cwd: string) => helm.inspect({ name: 'chart', value, cwd });

/** Packs a chart folder the way `helm package` does: a gzipped tar with the chart's folder at the top. */
async function packChart(dir: string, name: string, files: Record<string, string>): Promise<string> {
  const root = join(dir, `${name}-src`);
  mkdirSync(join(root, name, 'templates'), { recursive: true });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, name, path), content);
  const archive = `${name}.tgz`;
  await create({ gzip: true, file: join(dir, archive), cwd: root }, [name]);
  return archive;
}

const CHART_YAML = 'apiVersion: v2\nname: app\nversion: 1.2.3\n';

describe('HELM_CHART', () => {
  it('accepts the packaged chart vector and a chart with an empty values.yaml', async () => {
    assert.equal((await inspect('valid-chart.tgz', VECTORS)).shape, 'file');
    const { dir } = fixtureDir();
    const archive = await packChart(dir, 'app', { 'Chart.yaml': CHART_YAML, 'values.yaml': '' });
    assert.equal((await inspect(archive, dir)).shape, 'file');
  });

  it('refuses charts missing Chart.yaml or values.yaml', async () => {
    await assert.rejects(inspect('missing-chartyaml.tgz', VECTORS), {
      code: 'MATERIAL_INVALID',
      message: 'material "chart": file missing-chartyaml.tgz is not a valid HELM_CHART: Chart.yaml is missing',
    });
    const { dir } = fixtureDir();
    const archive = await packChart(dir, 'novalues', { 'Chart.yaml': CHART_YAML });
    await assert.rejects(inspect(archive, dir), { message: /: values\.yaml is missing$/ });
  });

  it('refuses a Chart.yaml without a version, and one that is not YAML', async () => {
    const { dir } = fixtureDir();
    const noVersion = await packChart(dir, 'noversion', {
      'Chart.yaml': 'apiVersion: v2\nname: app\n',
      'values.yaml': '',
    });
    await assert.rejects(inspect(noVersion, dir), { message: /: noversion\/Chart\.yaml has no version$/ });
    const broken = await packChart(dir, 'broken', { 'Chart.yaml': 'name: [unclosed', 'values.yaml': '' });
    await assert.rejects(inspect(broken, dir), { message: /: broken\/Chart\.yaml is not valid YAML$/ });
  });

  it('does not take a subchart Chart.yaml for the chart itself', async () => {
    const { dir } = fixtureDir();
    const root = join(dir, 'src');
    mkdirSync(join(root, 'parent', 'charts', 'child'), { recursive: true });
    writeFileSync(join(root, 'parent', 'values.yaml'), 'replicas: 1\n');
    writeFileSync(join(root, 'parent', 'charts', 'child', 'Chart.yaml'), CHART_YAML);
    await create({ gzip: true, file: join(dir, 'parent.tgz'), cwd: root }, ['parent']);
    await assert.rejects(inspect('parent.tgz', dir), { message: /: Chart\.yaml is missing$/ });
  });

  it('says OCI chart references are not supported yet, and how to attest the chart instead', async () => {
    await assert.rejects(inspect('oci://ghcr.io/org/charts/app:1.2.3', VECTORS), {
      code: 'MATERIAL_INVALID',
      message:
        'material "chart": chart reference oci://ghcr.io/org/charts/app:1.2.3 is not a valid HELM_CHART: charts in OCI registries are not supported yet; pull it (helm pull) and give the .tgz',
    });
  });

  it('refuses a file that is not a gzipped tar', async () => {
    await assert.rejects(inspect('tests.zip', VECTORS), {
      message: /it is not a gzipped tar \(\.tgz\) chart package$/,
    });
  });
});
