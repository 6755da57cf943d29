package dev.chainloop.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * The test reports a build recorded with the `junit` step, as `--from-glob` patterns.
 *
 * The junit plugin keeps no glob: each `junit` call parses the files its `testResults` pattern matched (on the agent,
 * relative to the current directory) and merges them into the build's `hudson.tasks.junit.TestResultAction`, one
 * `SuiteResult` per `<testsuite>`, each holding the absolute path of the file it came from (`SuiteResult.getFile()`).
 * Those paths are exactly the files junit accepted, whatever Ant pattern syntax named them, so each becomes a pattern
 * that matches only itself. The classes are found by name, as BuildResult does, so the library needs no junit jar.
 */
class TestReports implements Serializable {

    private static final long serialVersionUID = 1L

    static final String TEST_RESULT_ACTION = 'hudson.tasks.junit.TestResultAction'

    /**
     * The absolute paths of the report files the build's junit steps recorded, each once, sorted; empty when no junit
     * step ran. @NonCPS: the Run, its actions and the test result are not serializable and must not be held across
     * a step. `currentBuild.rawBuild` needs a trusted library (or script approval in the sandbox).
     */
    @NonCPS
    static List<String> recordedByJunit(Object currentBuild) {
        Object run = currentBuild.rawBuild
        Object action = run.actions.find { Object candidate -> candidate.getClass().name == TEST_RESULT_ACTION }
        Object suites = action?.result?.suites
        if (!suites) {
            return []
        }
        return suites.collect { Object suite -> suite.file }.findAll { Object file -> file }
            .collect { Object file -> file.toString() }.unique().sort()
    }

    @NonCPS
    static List<Object> literalPatterns(List<String> files, boolean unix) {
        return files.collect { String file -> literalPattern(file, unix) }
    }

    /**
     * A glob matching only this file, as tinyglobby's `convertPathToPattern` writes it: the characters its patterns
     * treat as syntax get a backslash; on Windows, where the backslash is the separator, it becomes `/` instead.
     */
    @NonCPS
    static String literalPattern(String path, boolean unix) {
        if (unix) {
            return path.replaceAll(/(?<!\\)([()\[\]{}*?|]|^!|[!+@](?=\()|\\(?![()\[\]{}!*+?@|]))/, '\\\\$1')
        }
        return path.replaceAll(/(?<!\\)([()\[\]{}]|^!|[!+@](?=\())/, '\\\\$1').replaceAll(/\\(?![()\[\]{}!+@])/, '/')
    }

}
