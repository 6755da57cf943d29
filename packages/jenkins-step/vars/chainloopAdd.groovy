import dev.chainloop.jenkins.Attestation
import dev.chainloop.jenkins.StepParameters

/** Adds a material to the attestation in progress: chainloopAdd(name: 'rootfs', value: 'rootfs.tar.gz'). */
void call(Map config = [:]) {
    Map settings = StepParameters.check(this, 'chainloopAdd', config, StepParameters.ADD)
    new Attestation(this, 'chainloopAdd', settings).add()
}
