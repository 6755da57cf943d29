package org.jenkinsci.plugins.workflow.steps

/**
 * Stand-in for workflow-step-api's exception (same name and base class): what an aborted build throws out of the
 * step that was running. The real one carries a hudson.model.Result; its toString() is the result word.
 */
class FlowInterruptedException extends InterruptedException {

    final String result

    FlowInterruptedException(String result) {
        super("build interrupted: ${result}")
        this.result = result
    }

}
