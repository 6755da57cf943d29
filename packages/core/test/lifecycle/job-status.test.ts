import '../hang-guard';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finishActionFor } from '../../src/lifecycle/job-status';

test('each CI status vocabulary maps to push, failure or cancellation', () => {
  const cases: Array<[Parameters<typeof finishActionFor>[0], string, string]> = [
    ['gitlab', 'success', 'push'],
    ['gitlab', 'failed', 'failure'],
    ['gitlab', 'canceled', 'cancellation'],
    ['jenkins', 'SUCCESS', 'push'],
    ['jenkins', 'FAILURE', 'failure'],
    ['jenkins', 'ABORTED', 'cancellation'],
    ['circleci', 'success', 'push'],
    ['circleci', 'failed', 'failure'],
    ['github', 'success', 'push'],
    ['github', 'failure', 'failure'],
    ['github', 'cancelled', 'cancellation'],
  ];
  for (const [ci, status, expected] of cases) {
    const action = finishActionFor(ci, status);
    assert.equal(action.action === 'push' ? 'push' : action.trigger, expected, `${ci} ${status}`);
  }
});

test('Jenkins UNSTABLE resets as a failure unless told to push', () => {
  assert.deepEqual(finishActionFor('jenkins', 'UNSTABLE'), { action: 'reset', trigger: 'failure' });
  assert.deepEqual(finishActionFor('jenkins', 'UNSTABLE', { unstableAs: 'push' }), { action: 'push' });
});

test('a word of another CI is refused with the accepted words', () => {
  assert.throws(
    () => finishActionFor('gitlab', 'cancelled'),
    /job status "cancelled" is not a gitlab status: use one of success, failed, canceled/,
  );
  assert.throws(() => finishActionFor('github', 'SUCCESS'), /not a github status/);
});
