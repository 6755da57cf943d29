import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.BuildResult
import dev.chainloop.jenkins.StepParameters

/**
 * Attests the build the closure runs: init before it, push when it succeeds, reset `failure` when it throws or
 * when the push fails, reset `cancellation` when the build is aborted. The closure's (or the push's) exception is
 * always rethrown; with gracefulExit a failed push still resets `failure` but only warns (see Attestation.finish).
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
        String status = currentBuild.currentResult
        try {
            current.finish(status, null)
        // groovylint-disable-next-line CatchException
        } catch (Exception failure) {
            if (current.isPush(status)) {
                endAfterFailedPush(current, failure)
            }
            throw failure
        }
    }
    return result
}

/** Resets the attestation for a body that threw, without hiding the body's own exception. */
private void endAfterFailure(Attestation attestation, Exception failure) {
    String status = BuildResult.of(failure)
    resetQuietly(attestation, status,
        "Jenkins build ${env.BUILD_TAG ?: ''} ended with ${status} (${failure.getClass().simpleName})")
}

/**
 * A push the control plane or the CLI refused (a material the contract requires is missing, a bad key) leaves the
 * run `initialized` until it expires: mark it failed (cancelled when the push was aborted), naming the push.
 */
private void endAfterFailedPush(Attestation attestation, Exception failure) {
    resetQuietly(attestation, BuildResult.of(failure), attestation.pushFailureReason(failure))
}

/** Ends the attestation with a reset; a reset that fails only warns, so the build keeps its own error. */
private void resetQuietly(Attestation attestation, String status, String reason) {
    try {
        attestation.finish(status, reason.replaceAll(/\s+/, ' ').trim())
    // groovylint-disable-next-line CatchException
    } catch (Exception resetFailure) {
        echo "WRN chainloopAttestation: the attestation could not be reset after ${status}: ${resetFailure.message}"
    }
}
