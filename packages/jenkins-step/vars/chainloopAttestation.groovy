import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.BuildResult
import dev.chainloop.jenkins.StepParameters

/**
 * Attests the build the closure runs: init before it, push when it succeeds, reset `failure` when it throws,
 * reset `cancellation` when the build is aborted. The closure's exception is always rethrown.
 */
Object call(Map config = [:], Closure body) {
    Map settings = StepParameters.check(this, 'chainloopAttestation', config, StepParameters.ATTESTATION)
    Attestation attestation = new Attestation(this, 'chainloopAttestation', settings)
    String id = attestation.init()
    // The steps in the body (chainloopAdd) get the ID and these settings without repeating them.
    List<String> handedDown = StepParameters.handedDownEntries(settings)
    if (!id) {
        echo 'WRN chainloopAttestation: no attestation was started: running the build without one (gracefulExit)'
        return withEnv(handedDown) {
            body()
        }
    }
    Attestation current = new Attestation(this, 'chainloopAttestation', settings + [attestationId: id])
    Object result = null
    withEnv(handedDown + ["${Attestation.ID_VARIABLE}=${id}".toString()]) {
        try {
            result = body()
        // groovylint-disable-next-line CatchException
        } catch (Exception failure) {
            endAfterFailure(current, failure)
            throw failure
        }
        // The body may have marked the build UNSTABLE (junit) or FAILURE without throwing.
        current.finish(currentBuild.currentResult, null)
    }
    return result
}

/** Resets the attestation for a body that threw, without hiding the body's own exception. */
private void endAfterFailure(Attestation attestation, Exception failure) {
    String status = BuildResult.of(failure)
    String reason = "Jenkins build ${env.BUILD_TAG ?: ''} ended with ${status} (${failure.getClass().simpleName})"
    try {
        attestation.finish(status, reason.replaceAll(/\s+/, ' '))
    // groovylint-disable-next-line CatchException
    } catch (Exception resetFailure) {
        echo "WRN chainloopAttestation: the attestation could not be reset after ${status}: ${resetFailure.message}"
    }
}
