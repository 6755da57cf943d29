package harness

import org.jenkinsci.plugins.scriptsecurity.sandbox.RejectedAccessException

/** The `currentBuild` global: a result that, as in Jenkins, can only get worse. */
class FakeBuild {

    private static final List<String> ORDER = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'NOT_BUILT', 'ABORTED']

    String result

    /** A library outside the trusted ones: the script security sandbox refuses `currentBuild.rawBuild`. */
    boolean sandboxed

    private final FakeRun run = new FakeRun()

    /** What `currentBuild.rawBuild` returns (the Run; only its actions are modelled), or the sandbox's refusal. */
    FakeRun getRawBuild() {
        if (sandboxed) {
            throw new RejectedAccessException('Scripts not permitted to use method ' +
                'org.jenkinsci.plugins.workflow.support.steps.build.RunWrapper getRawBuild')
        }
        return run
    }

    /** The Run as plugins (trusted code) see it. */
    FakeRun trustedRun() {
        return run
    }

    void setResult(String value) {
        if (result == null || ORDER.indexOf(value) > ORDER.indexOf(result)) {
            result = value
        }
    }

    String getCurrentResult() {
        return result ?: 'SUCCESS'
    }

}
