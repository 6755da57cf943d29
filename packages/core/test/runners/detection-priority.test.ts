import '../hang-guard';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RunnerTypeName } from '@chainloop-ts/core/contract';
import {
  createTektonRunner,
  detectRunner,
  generic,
  RUNNER_DETECTION_PRIORITY,
  type Runner,
} from '@chainloop-ts/core/runners';
import {
  AZURE_PIPELINES_ENV,
  CIRCLECI_ENV,
  DAGGER_ENV,
  GITHUB_ACTIONS_ENV,
  GITLAB_CI_ENV,
  JENKINS_ENV,
  TEAMCITY_ENV,
  TEKTON_ENV,
} from './ci-environments';

/**
 * The detection priority users rely on (src/runners/README.md), most specific first. Environments overlap in real
 * life (a Dagger or Tekton step inside another CI's job, a self-hosted runner with another CI's variables left over,
 * TeamCity and Jenkins both setting BUILD_URL), and then this order alone decides which CI the attestation records.
 */
const EXPECTED_ORDER: { type: RunnerTypeName; env: NodeJS.ProcessEnv }[] = [
  { type: 'DAGGER_PIPELINE', env: DAGGER_ENV },
  { type: 'TEKTON_PIPELINE', env: TEKTON_ENV },
  { type: 'GITHUB_ACTION', env: GITHUB_ACTIONS_ENV },
  { type: 'GITLAB_PIPELINE', env: GITLAB_CI_ENV },
  { type: 'AZURE_PIPELINE', env: AZURE_PIPELINES_ENV },
  { type: 'CIRCLECI_BUILD', env: CIRCLECI_ENV },
  { type: 'TEAMCITY_PIPELINE', env: TEAMCITY_ENV },
  { type: 'JENKINS_JOB', env: JENKINS_ENV },
  // Generic matches everything: an ordinary shell with CI=true.
  { type: 'RUNNER_TYPE_UNSPECIFIED', env: { PATH: '/usr/bin:/bin', HOME: '/home/dev', CI: 'true' } },
];

// Tekton is detected by a directory, not a variable: a temp one stands in for /tekton/results when Tekton is in play.
const tektonRoot = mkdtempSync(join(tmpdir(), 'tekton-'));
mkdirSync(join(tektonRoot, 'results'));
writeFileSync(join(tektonRoot, 'namespace'), 'ci-builds\n');
after(() => rmSync(tektonRoot, { recursive: true, force: true }));
const tektonPresent = createTektonRunner({
  resultsDir: join(tektonRoot, 'results'),
  namespaceFile: join(tektonRoot, 'namespace'),
});
const tektonAbsent = createTektonRunner({
  resultsDir: join(tektonRoot, 'absent'),
  namespaceFile: join(tektonRoot, 'namespace'),
});

/** The real priority list, with the Tekton step container present only when a Tekton job is part of the mix. */
function runnersFor(types: RunnerTypeName[]): Runner[] {
  const tekton = types.includes('TEKTON_PIPELINE') ? tektonPresent : tektonAbsent;
  return RUNNER_DETECTION_PRIORITY.map((runner) => (runner.type === 'TEKTON_PIPELINE' ? tekton : runner));
}

describe('runner detection priority', () => {
  it('lists every runner once, in the documented order, generic (the fallback) not among them', () => {
    assert.deepEqual(
      RUNNER_DETECTION_PRIORITY.map((runner) => runner.type),
      EXPECTED_ORDER.slice(0, -1).map((entry) => entry.type),
    );
  });

  const pairs = EXPECTED_ORDER.flatMap((first, index) =>
    EXPECTED_ORDER.slice(index + 1).map((second) => ({ first, second })),
  );

  it('covers every pair of runners', () => {
    assert.equal(pairs.length, (EXPECTED_ORDER.length * (EXPECTED_ORDER.length - 1)) / 2);
  });

  for (const { first, second } of pairs) {
    it(`a job that looks like both ${first.type} and ${second.type} is ${first.type}`, () => {
      const runners = runnersFor([first.type, second.type]);
      // Both spreading orders: where the two CIs share a variable (CI, HOME, BUILD_URL) either may have set it last.
      for (const env of [
        { ...first.env, ...second.env },
        { ...second.env, ...first.env },
      ]) {
        const matching = [...runners, generic].filter((runner) => runner.detect(env)).map((runner) => runner.type);
        assert.ok(
          matching.includes(first.type) && matching.includes(second.type),
          `the environments really overlap (matching: ${matching.join(', ')})`,
        );
        assert.equal(detectRunner(env, runners).type, first.type);
      }
    });
  }

  it('with every CI present at once, each runner wins as soon as every runner above it is gone', () => {
    const winners: string[] = [];
    for (let index = 0; index < EXPECTED_ORDER.length; index += 1) {
      const present = EXPECTED_ORDER.slice(index);
      const env = Object.assign({}, ...present.map((entry) => entry.env)) as NodeJS.ProcessEnv;
      winners.push(detectRunner(env, runnersFor(present.map((entry) => entry.type))).type);
    }
    assert.deepEqual(
      winners,
      EXPECTED_ORDER.map((entry) => entry.type),
    );
  });
});
