import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.StepParameters

/**
 * Marks the attestation in progress as failed (trigger: 'failure', the default) or cancelled
 * (trigger: 'cancellation'), for `post { failure { … } aborted { … } }`.
 */
void call(Map config = [:]) {
    Map settings = StepParameters.check(this, 'chainloopReset', config, StepParameters.RESET)
    new Attestation(this, 'chainloopReset', settings).reset(settings.trigger, settings.reason)
}
