package hudson.tasks.junit

/**
 * Stand-in with the real class name for the action the junit plugin attaches to a build: the library finds it by that
 * name in `currentBuild.rawBuild.actions`. Only what the library reads: `getResult()`. As in the plugin, a second
 * `junit` step merges its suites into the same action (`mergeResult`) rather than adding another action.
 */
class TestResultAction {

    final TestResult result = new TestResult()

    void mergeResult(TestResult more) {
        result.suites.addAll(more.suites)
    }

}
