package hudson.tasks.junit

/** Stand-in for the plugin's parsed test result: its suites (`getSuites()`), in the order they were parsed. */
class TestResult {

    final List<SuiteResult> suites = []

}
