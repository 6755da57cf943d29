package hudson.tasks.junit

/**
 * Stand-in for one parsed `<testsuite>`: as in the plugin, `getFile()` is the absolute path of the report file it came
 * from (`xmlReport.getAbsolutePath()`), so a file holding several suites appears once per suite.
 */
class SuiteResult {

    final String file
    final String name
    final int failures

    SuiteResult(String file, String name, int failures) {
        this.file = file
        this.name = name
        this.failures = failures
    }

}
