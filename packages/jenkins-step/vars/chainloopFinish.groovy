import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.BuildResult
import dev.chainloop.jenkins.StepParameters

/**
 * Ends the attestation in progress with the build's result (currentBuild.currentResult unless status is given):
 * SUCCESS pushes, FAILURE resets `failure`, ABORTED resets `cancellation`, UNSTABLE follows unstableAs.
 * One step for `post { always { … } }`. Returns the digest when it pushed.
 * A push that fails (a material the contract requires is missing, a bad key) resets the run as failed, its reason
 * naming the push, so it is not left `initialized` until it expires; then the push's error fails the build (with
 * gracefulExit, Attestation.finish has reset it already and the build goes on). An aborted push is rethrown as is.
 */
String call(Map config = [:]) {
    Map settings = StepParameters.check(this, 'chainloopFinish', config, StepParameters.FINISH)
    String status = settings.status ?: currentBuild.currentResult
    Attestation attestation = new Attestation(this, 'chainloopFinish', settings)
    try {
        return attestation.finish(status, settings.reason)
    // groovylint-disable-next-line CatchException
    } catch (Exception failure) {
        if (attestation.isPush(status) && !BuildResult.isInterruption(failure)) {
            attestation.resetAfterFailedPush(failure)
        }
        throw failure
    }
}
