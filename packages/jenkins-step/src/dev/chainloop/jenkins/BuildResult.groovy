package dev.chainloop.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * The Jenkins result word (the vocabulary of `currentBuild.currentResult`) an exception thrown out of a build
 * stands for. Recognised by class name so the library needs no Jenkins jar on its classpath.
 */
class BuildResult implements Serializable {

    private static final long serialVersionUID = 1L

    /** Thrown when a build is aborted: the Abort button, `timeout`, a rejected `input`, a newer `milestone`. */
    static final String FLOW_INTERRUPTED = 'org.jenkinsci.plugins.workflow.steps.FlowInterruptedException'
    static final List<String> RESULT_WORDS = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'NOT_BUILT', 'ABORTED'].asImmutable()

    @NonCPS
    static String of(Throwable failure) {
        if (isInterruption(failure)) {
            // It carries the result the interruption stands for (ABORTED, or NOT_BUILT for a superseded milestone).
            String carried = failure.hasProperty('result') ? failure.result?.toString() : null
            return carried in RESULT_WORDS && carried != 'SUCCESS' ? carried : 'ABORTED'
        }
        return 'FAILURE'
    }

    @NonCPS
    static boolean isInterruption(Throwable failure) {
        for (Class type = failure.getClass(); type != null; type = type.superclass) {
            if (type.name == FLOW_INTERRUPTED || type.name == InterruptedException.name) {
                return true
            }
        }
        return false
    }

}
