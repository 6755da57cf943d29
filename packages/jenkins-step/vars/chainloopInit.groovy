import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.StepParameters

/**
 * Starts an attestation and records its ID (CHAINLOOP_ATTESTATION_ID) and its settings (CHAINLOOP_STEP_*) in the
 * build's environment, so later chainloopAdd / chainloopPush / chainloopReset / chainloopFinish steps, in any stage
 * or post block, find them without repeating them. Returns the ID.
 */
String call(Map config = [:]) {
    Map settings = StepParameters.check(this, 'chainloopInit', config, StepParameters.INIT)
    String id = new Attestation(this, 'chainloopInit', settings).init()
    Map<String, String> handedDown = StepParameters.handedDown(settings)
    for (String name : handedDown.keySet().toList()) {
        env[name] = handedDown[name]
    }
    env[Attestation.ID_VARIABLE] = id
    return id
}
