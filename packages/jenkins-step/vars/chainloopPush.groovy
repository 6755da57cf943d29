import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.StepParameters

/** Signs and stores the attestation in progress (for `post { success { … } }`). Returns its digest. */
String call(Map config = [:]) {
    Map settings = StepParameters.check(this, 'chainloopPush', config, StepParameters.PUSH)
    return new Attestation(this, 'chainloopPush', settings).push()
}
