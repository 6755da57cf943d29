package dev.chainloop.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * The parameters each step accepts, their types and defaults, checked before anything runs so that a typo
 * (`signingKeyCredentialId`) fails the build with a one-line message instead of being silently ignored.
 * A spec maps a name to a Class, or to the list of words it accepts.
 */
class StepParameters implements Serializable {

    private static final long serialVersionUID = 1L

    /**
     * What every step takes, so one map of settings can be shared by all the steps of a Jenkinsfile
     * (`chainloopInit(chainloop)`, `chainloopPush(chainloop)`); each step uses the ones it needs.
     */
    static final Map<String, Object> COMMON = [
        controlPlane: String,
        tokenCredentialsId: String,
        cli: String,
        nodeCommand: String,
        attestationId: String,
        gracefulExit: Boolean,
        contractRevision: Integer,
        signingKeyCredentialsId: String,
        signingKeyCredentialsType: ['file', 'string'],
        signingPasswordCredentialsId: String,
        attestationAnnotations: Map,
        bundle: String,
        unstableAs: ['failure', 'push'],
        junitReports: Boolean,
    ].asImmutable()

    static final Map<String, Object> ATTESTATION = COMMON
    static final Map<String, Object> INIT = COMMON
    static final Map<String, Object> PUSH = COMMON
    static final Map<String, Object> ADD = (COMMON + [
        name: String, value: String, kind: String, annotations: Map, materials: Map, reports: String,
    ]).asImmutable()
    static final Map<String, Object> RESET = (COMMON + [
        trigger: ['failure', 'cancellation'], reason: String,
    ]).asImmutable()
    static final Map<String, Object> FINISH = (COMMON + [
        status: BuildResult.RESULT_WORDS, reason: String,
    ]).asImmutable()

    /**
     * Settings a step hands down to the steps after it, as CHAINLOOP_STEP_* environment variables: the body of
     * chainloopAttestation, and everything after chainloopInit, need not repeat them. Names and IDs, never secrets.
     */
    static final List<String> INHERITED = [
        'controlPlane', 'tokenCredentialsId', 'cli', 'nodeCommand', 'gracefulExit', 'signingKeyCredentialsId',
        'signingKeyCredentialsType', 'signingPasswordCredentialsId', 'unstableAs', 'junitReports',
    ].asImmutable()

    static final Map<String, Object> DEFAULTS = [
        cli: 'bundled',
        nodeCommand: 'node',
        gracefulExit: false,
        signingKeyCredentialsType: 'file',
        unstableAs: 'failure',
        junitReports: true,
        trigger: 'failure',
    ].asImmutable()

    /**
     * The step's settings: defaults, then what earlier steps handed down, then what the caller passed; or the
     * build fails naming the bad parameter.
     */
    static Map check(Object steps, String step, Map config, Map<String, Object> accepted) {
        Map given = config ?: [:]
        String problem = problemWith(step, given, accepted)
        if (problem) {
            steps.error(problem)
        }
        Map<String, String> inherited = [:]
        for (String name : INHERITED) {
            String value = steps.env[variableFor(name)]
            if (value) {
                inherited[name] = value
            }
        }
        return settings(given, inherited, accepted)
    }

    /** The variables that hand these settings down, by name. */
    @NonCPS
    static Map<String, String> handedDown(Map settings) {
        Map<String, String> variables = [:]
        INHERITED.each { String name ->
            if (settings[name] != null) {
                variables[variableFor(name)] = settings[name].toString()
            }
        }
        return variables
    }

    /** The same as `NAME=value` entries for withEnv. */
    @NonCPS
    static List<String> handedDownEntries(Map settings) {
        return handedDown(settings).collect { String name, String value -> "${name}=${value}".toString() }
    }

    /** tokenCredentialsId → CHAINLOOP_STEP_TOKEN_CREDENTIALS_ID */
    @NonCPS
    static String variableFor(String name) {
        return 'CHAINLOOP_STEP_' + name.replaceAll(/([A-Z])/, '_$1').toUpperCase()
    }

    @NonCPS
    static Map settings(Map given, Map<String, String> inherited, Map<String, Object> accepted) {
        Map result = [:]
        DEFAULTS.each { String name, Object value ->
            if (accepted.containsKey(name)) {
                result[name] = value
            }
        }
        inherited.each { String name, String value ->
            result[name] = COMMON[name] == Boolean ? value == 'true' : value
        }
        given.each { Object name, Object value ->
            if (value != null) {
                result[name.toString()] = value instanceof CharSequence ? value.toString() : value
            }
        }
        return result
    }

    @NonCPS
    static String problemWith(String step, Map given, Map<String, Object> accepted) {
        for (Object key : given.keySet()) {
            String name = key
            if (!accepted.containsKey(name)) {
                return "${step}: unknown parameter \"${name}\": use one of ${accepted.keySet().sort().join(', ')}"
            }
            String typeProblem = typeProblem(name, given[key], accepted[name])
            if (typeProblem) {
                return "${step}: ${typeProblem}"
            }
        }
        return null
    }

    @NonCPS
    private static String typeProblem(String name, Object value, Object spec) {
        if (value == null) {
            return null
        }
        if (spec instanceof List) {
            return spec.contains(value.toString()) ? null :
                "parameter ${name} is \"${value}\": use one of ${spec.join(', ')}"
        }
        if (spec == Integer) {
            return value.toString() ==~ /[1-9][0-9]*/ ? null :
                "parameter ${name} is \"${value}\": use a whole number from 1, e.g. ${name}: 2"
        }
        if (spec == String && !(value instanceof CharSequence)) {
            return "parameter ${name} must be text, not a ${value.getClass().simpleName}: quote it, e.g. ${name}: '…'"
        }
        if (spec == Boolean && !(value instanceof Boolean)) {
            return "parameter ${name} must be true or false, not \"${value}\""
        }
        if (spec == Map && !(value instanceof Map)) {
            return "parameter ${name} must be a map, not a ${value.getClass().simpleName}: e.g. ${name}: [key: 'value']"
        }
        return null
    }

}
