package dev.chainloop.jenkins

/**
 * Runs `chainloop` on the current agent: the CLI bundled in this library (written once per workspace and run with
 * the agent's `node`) or an installed one, with the credentials bound as environment variables for that one
 * command, through `sh` on Unix agents and `bat` on Windows ones.
 */
class ChainloopCli implements Serializable {

    private static final long serialVersionUID = 1L

    static final String BUNDLE = 'dev/chainloop/jenkins/chainloop.cjs'
    static final String BUNDLE_DIGEST = 'dev/chainloop/jenkins/chainloop.cjs.sha256'

    static final String TOKEN_VARIABLE = 'CHAINLOOP_TOKEN'
    static final String KEY_TEXT_VARIABLE = 'CHAINLOOP_SIGNING_KEY'
    static final String KEY_FILE_VARIABLE = 'CHAINLOOP_SIGNING_KEY_FILE'
    static final String PASSWORD_VARIABLE = 'CHAINLOOP_SIGNING_PASSWORD'
    static final String CONTROL_PLANE_VARIABLE = 'CHAINLOOP_CONTROL_PLANE_API'

    private final Object steps
    private final String step
    private final Map settings
    /** Where the bundled CLI was written on this agent, so later commands of the same step skip the copy. */
    private String bundlePath

    ChainloopCli(Object steps, String step, Map settings) {
        this.steps = steps
        this.step = step
        this.settings = settings
    }

    /** Runs the command and returns what it printed on stdout (its JSON result). */
    String run(CliCommand command, boolean withSigningKey) {
        Map<String, String> launcher = launcher()
        Map<String, String> environment = [:]
        if (settings.controlPlane) {
            environment[CONTROL_PLANE_VARIABLE] = settings.controlPlane
        }
        List<String> variables = command.environment(launcher + environment)
        List<String> launcherVariables = launcher.keySet() as List<String>
        List bindings = credentialBindings(withSigningKey)
        if (!bindings) {
            return runScript(command, variables, launcherVariables)
        }
        return steps.withCredentials(bindings) {
            runScript(command, variables, launcherVariables)
        }
    }

    /** `--key` for the signing credential bound by run(…, true); keyless when no key credential is configured. */
    void addSigningKey(CliCommand command) {
        if (!settings.signingKeyCredentialsId) {
            return
        }
        if (settings.signingKeyCredentialsType == 'string') {
            command.option('--key', "env://${KEY_TEXT_VARIABLE}")
        } else {
            command.optionFromVariable('--key', KEY_FILE_VARIABLE)
        }
    }

    private String runScript(CliCommand command, List<String> variables, List<String> launcherVariables) {
        return steps.withEnv(variables) {
            if (steps.isUnix()) {
                return steps.sh(script: command.unixScript(launcherVariables), returnStdout: true)
            }
            String unpassable = command.valueWindowsCannotPass()
            if (unpassable != null) {
                steps.error("${step}: the value \"${unpassable}\" contains a double quote, which a Windows agent " +
                    'cannot pass to a program: remove it, or run this step on a Unix agent')
            }
            return steps.bat(script: command.windowsScript(launcherVariables), returnStdout: true)
        }
    }

    private List credentialBindings(boolean withSigningKey) {
        List bindings = []
        if (settings.tokenCredentialsId) {
            bindings << steps.string(credentialsId: settings.tokenCredentialsId, variable: TOKEN_VARIABLE)
        }
        if (withSigningKey && settings.signingKeyCredentialsId) {
            bindings << (settings.signingKeyCredentialsType == 'string' ?
                steps.string(credentialsId: settings.signingKeyCredentialsId, variable: KEY_TEXT_VARIABLE) :
                steps.file(credentialsId: settings.signingKeyCredentialsId, variable: KEY_FILE_VARIABLE))
        }
        if (withSigningKey && settings.signingPasswordCredentialsId) {
            bindings << steps.string(credentialsId: settings.signingPasswordCredentialsId, variable: PASSWORD_VARIABLE)
        }
        return bindings
    }

    /** The variables naming the program the script runs, in order. */
    private Map<String, String> launcher() {
        if (settings.cli != 'bundled') {
            return [CHAINLOOP_STEP_CLI: settings.cli]
        }
        return [CHAINLOOP_STEP_NODE: settings.nodeCommand, CHAINLOOP_STEP_CLI: writeBundle()]
    }

    private String bundleDigest() {
        try {
            return steps.libraryResource(BUNDLE_DIGEST).trim()
        // groovylint-disable-next-line CatchException
        } catch (Exception missing) {
            if (BuildResult.isInterruption(missing)) {
                throw missing
            }
            steps.error("${step}: this copy of the library has no bundled CLI (resources/${BUNDLE}): " +
                "publish the library after `npm run build`, or pass cli: 'chainloop' to use an installed CLI")
        }
        return null
    }

    /**
     * Writes the bundled CLI under the workspace's temporary folder (`<workspace>@tmp`, outside the checkout),
     * named by its digest so a newer library version never runs an older copy. Base64 keeps the bytes exact
     * whatever the agent's default charset.
     */
    private String writeBundle() {
        if (bundlePath) {
            return bundlePath
        }
        String digest = bundleDigest()
        String path = "${steps.pwd(tmp: true)}/chainloop-cli/chainloop-${digest.take(16)}.cjs"
        if (!steps.fileExists(path)) {
            String content = steps.libraryResource(resource: BUNDLE, encoding: 'Base64')
            steps.writeFile(file: path, text: content, encoding: 'Base64')
        }
        bundlePath = path
        return path
    }

}
