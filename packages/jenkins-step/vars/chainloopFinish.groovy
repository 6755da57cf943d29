import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.StepParameters

/**
 * Ends the attestation in progress with the build's result (currentBuild.currentResult unless status is given):
 * SUCCESS pushes, FAILURE resets `failure`, ABORTED resets `cancellation`, UNSTABLE follows unstableAs.
 * One step for `post { always { … } }`. Returns the digest when it pushed.
 */
String call(Map config = [:]) {
    Map settings = StepParameters.check(this, 'chainloopFinish', config, StepParameters.FINISH)
    String status = settings.status ?: currentBuild.currentResult
    return new Attestation(this, 'chainloopFinish', settings).finish(status, settings.reason)
}
