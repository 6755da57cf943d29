package dev.chainloop.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * The attestation lifecycle in Jenkins terms: each method is one `chainloop attestation …` command. The state
 * lives in the control plane (`init --remote-state`), so the steps of one build may run in different stages,
 * `post` blocks or agents as long as they see the attestation ID (CHAINLOOP_ATTESTATION_ID or attestationId).
 */
class Attestation implements Serializable {

    private static final long serialVersionUID = 1L

    static final String ID_VARIABLE = 'CHAINLOOP_ATTESTATION_ID'

    private final Object steps
    private final Map settings
    private final String step
    private final ChainloopCli cli

    Attestation(Object steps, String step, Map settings) {
        this.steps = steps
        this.step = step
        this.settings = settings
        this.cli = new ChainloopCli(steps, step, settings)
    }

    /** A string field of the CLI's JSON output; the library avoids JSON parsers that need script approval. */
    @NonCPS
    static String jsonText(String output, String field) {
        java.util.regex.Matcher match = (output ?: '') =~ /"${field}"\s*:\s*"([^"\\]*)"/
        return match.find() ? match.group(1) : null
    }

    @NonCPS
    static String materialLines(Map materials) {
        return materials.collect { Object name, Object value -> "${name}=${value}" }.join('\n')
    }

    /** The material parameters given with `reports` (which names its materials itself), or null. */
    @NonCPS
    static String givenWithReports(Map settings) {
        List<String> given = ['name', 'value', 'materials'].findAll { String key -> settings[key] != null }
        return given ? given.join(', ') : null
    }

    @NonCPS
    static List<Object> annotationArguments(Map annotations) {
        return (annotations ?: [:]).collect { Object key, Object value -> "${key}=${value}".toString() }
    }

    /** Starts the attestation and returns its ID ('' when it failed and gracefulExit is on). */
    String init() {
        CliCommand command = new CliCommand(['attestation', 'init', '--remote-state', '-o', 'json'])
            .option('--contract-revision', settings.contractRevision)
            .flag('--graceful-exit', settings.gracefulExit)
        String id = jsonText(cli.run(command, false), 'attestationID')
        if (!id && !settings.gracefulExit) {
            steps.error("${step}: chainloop attestation init printed no attestation ID: see its output above")
        }
        return id ?: ''
    }

    /**
     * Adds one material (name, value, kind, annotations), several (materials: [name: value]) or every file a glob
     * matches (reports: 'glob', each named after its file, kind auto-detected or kind).
     */
    void add() {
        String id = attestationId()
        if (!id) {
            skipOrFail('no attestation in progress: call chainloopInit first, or use chainloopAttestation { }')
            return
        }
        CliCommand command = new CliCommand(['attestation', 'add']).option('--attestation-id', id)
        if (settings.reports != null) {
            String alongside = givenWithReports(settings)
            if (alongside) {
                steps.error("${step}: pass reports alone (each file it matches is named after itself), not with " +
                    alongside)
            }
            // Nothing matched is the CLI's warning, not a failure: a build without reports still attests.
            command.option('--from-glob', settings.reports).option('--kind', settings.kind)
        } else if (settings.materials) {
            if (settings.name || settings.value) {
                steps.error("${step}: pass either name and value, or materials: [name: value, …], not both")
            }
            command.option('--materials', materialLines(settings.materials))
        } else if (settings.name && settings.value != null) {
            command.option('--name', settings.name).option('--value', settings.value).option('--kind', settings.kind)
        } else {
            steps.error("${step}: parameters name and value are required, " +
                "e.g. chainloopAdd(name: 'rootfs', value: 'rootfs.tar.gz'), or reports: 'reports/**/*.xml'")
        }
        command.options('--annotation', annotationArguments(settings.annotations))
        command.literal('-o').literal('json')
        cli.run(command, false)
    }

    /**
     * Pushes (signs and stores) the attestation, after adding the reports junit recorded (the README's declarative
     * example pushes from `post { success { … } }`, so this is where its reports get in); returns the digest.
     */
    String push() {
        String id = attestationId()
        if (!id) {
            skipOrFail('no attestation in progress to push: call chainloopInit first')
            return ''
        }
        CliCommand command = new CliCommand(['attestation', 'push']).option('--attestation-id', id)
        cli.addSigningKey(command)
        command.options('--annotation', annotationArguments(settings.attestationAnnotations))
            .option('--bundle', settings.bundle)
            .literal('-o').literal('json')
        return pushOrReset(command, settings.junitReports != false)
    }

    /** Marks the attestation failed or cancelled. */
    void reset(String trigger, String reason) {
        String id = attestationId()
        if (!id) {
            nothingToEnd('reset')
            return
        }
        CliCommand command = new CliCommand(['attestation', 'reset']).option('--attestation-id', id)
            .option('--trigger', trigger)
            .option('--reason', reason)
            .flag('--graceful-exit', settings.gracefulExit)
            .literal('-o').literal('json')
        cli.run(command, false)
    }

    /**
     * Ends the attestation with a Jenkins result word: SUCCESS pushes, FAILURE resets `failure`, ABORTED and
     * NOT_BUILT reset `cancellation`, UNSTABLE does what unstableAs says. Returns the digest when it pushed.
     */
    String finish(String status, String reason) {
        String id = attestationId()
        if (!id) {
            nothingToEnd("finish with ${status}")
            return ''
        }
        CliCommand command = new CliCommand(['attestation', 'finish', '--ci', 'jenkins'])
            .option('--attestation-id', id)
            .option('--status', status)
            .option('--unstable-as', settings.unstableAs)
            .option('--reason', reason)
        if (!isPush(status)) {
            cli.run(command.flag('--graceful-exit', settings.gracefulExit).literal('-o').literal('json'), false)
            return ''
        }
        cli.addSigningKey(command)
        command.options('--annotation', annotationArguments(settings.attestationAnnotations))
            .option('--bundle', settings.bundle)
            .literal('-o').literal('json')
        return pushOrReset(command, settings.junitReports != false)
    }

    /**
     * Adds the test reports the build's `junit` steps recorded (see TestReports), as JUNIT_XML materials named after
     * their files, before a push: the reports a pipeline already declares are attested without a line of config.
     * None recorded, or the build's test results cannot be read (sandbox): nothing added. A file no longer there
     * (junit ran on another agent) is the CLI's warning. A report the CLI refuses fails the push with one line saying
     * how to go on without them.
     */
    void addRecordedTestReports() {
        List<String> files
        try {
            files = TestReports.recordedByJunit(steps.currentBuild)
        // groovylint-disable-next-line CatchException
        } catch (Exception unreadable) {
            if (BuildResult.isInterruption(unreadable)) {
                throw unreadable
            }
            // In the script security sandbox (a library not registered as trusted) currentBuild.rawBuild is refused:
            // a missing report is no reason to fail the push.
            steps.echo("WRN ${step}: the test reports the junit step recorded could not be read " +
                "(${unreadable.message}): register the library as trusted, or pass junitReports: false")
            return
        }
        if (!files) {
            return
        }
        List<Object> patterns = TestReports.literalPatterns(files, steps.isUnix())
        steps.echo("${step}: adding the ${files.size()} test report file(s) the junit step recorded " +
            '(junitReports: false turns this off)')
        CliCommand command = new CliCommand(['attestation', 'add']).option('--attestation-id', attestationId())
            .options('--from-glob', patterns)
            .option('--kind', 'JUNIT_XML')
            .literal('-o').literal('json')
        try {
            cli.run(command, false)
        // groovylint-disable-next-line CatchException
        } catch (Exception failure) {
            if (BuildResult.isInterruption(failure)) {
                throw failure
            }
            steps.error("${step}: the test reports the junit step recorded could not be added " +
                "(${failure.message}; the CLI's error is above): fix them, or pass junitReports: false")
        }
    }

    /** Whether finish(status, …) pushes (SUCCESS, or UNSTABLE with unstableAs: 'push') rather than resets. */
    boolean isPush(String status) {
        return status == 'SUCCESS' || (status == 'UNSTABLE' && settings.unstableAs == 'push')
    }

    /**
     * The reason a run is reset with when its push failed (a material the contract requires is missing, a bad key):
     * the push's own error is in the build log, above.
     */
    String pushFailureReason(Throwable failure) {
        String why = failure.message ?: failure.getClass().simpleName
        String reason = "Jenkins build ${steps.env.BUILD_TAG ?: ''}: attestation push failed (${why}): " +
            'its error is in the build log'
        return reason.replaceAll(/\s+/, ' ').trim()
    }

    /**
     * Marks the run failed after its push failed, the reason naming the push: after a push gracefulExit tolerated, and
     * in chainloopFinish before the push's error fails the build. A reset that fails only warns (one line), so the
     * push's own error is the one the build reports; an abort is rethrown.
     */
    void resetAfterFailedPush(Exception pushFailure) {
        try {
            reset('failure', pushFailureReason(pushFailure))
        // groovylint-disable-next-line CatchException
        } catch (Exception resetFailure) {
            if (BuildResult.isInterruption(resetFailure)) {
                throw resetFailure
            }
            steps.echo("WRN ${step}: the run could not be marked failed after the failed push: ${resetFailure.message}")
        }
    }

    /** The attestation this step works on: its attestationId parameter, else the build's environment. */
    String attestationId() {
        return settings.attestationId ?: steps.env[ID_VARIABLE]
    }

    /**
     * Runs a command that pushes (push, or finish with a status that pushes), after adding the test reports junit
     * recorded when asked, and returns the stored digest. With gracefulExit the library tolerates a failed push (or
     * reports add), not the CLI: `--graceful-exit` would exit 0 and leave the run `initialized` until it expires. So
     * the run is reset as failed, its reason naming the push, and the build goes on with one warning. An abort is
     * never swallowed.
     */
    private String pushOrReset(CliCommand command, boolean withRecordedTestReports) {
        try {
            if (withRecordedTestReports) {
                addRecordedTestReports()
            }
            return stored(jsonText(cli.run(command, true), 'digest'))
        // groovylint-disable-next-line CatchException
        } catch (Exception failure) {
            if (!settings.gracefulExit || BuildResult.isInterruption(failure)) {
                throw failure
            }
            String why = failure.message ?: failure.getClass().simpleName
            steps.echo("WRN ${step}: the attestation was not pushed: its push failed (${why}; its error is above): " +
                'marking the run failed; the build goes on (gracefulExit)')
            resetAfterFailedPush(failure)
        }
        return ''
    }

    /** The digest of a pushed attestation, also in the build log, where people look for it. */
    private String stored(String digest) {
        if (digest) {
            steps.echo("${step}: attestation stored in the control plane as ${digest}")
        }
        return digest ?: ''
    }

    /**
     * Resets run in `post` blocks, also after a build that failed before (or in) chainloopInit: there is nothing to
     * end then, and failing the post block would only bury the build's real error.
     */
    private void nothingToEnd(String action) {
        steps.echo("WRN ${step}: no attestation in progress: nothing to ${action}")
    }

    private void skipOrFail(String problem) {
        if (settings.gracefulExit) {
            steps.echo("WRN ${step}: ${problem} (skipped: gracefulExit)")
            return
        }
        steps.error("${step}: ${problem}")
    }

}
