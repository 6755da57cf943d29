package dev.chainloop.jenkins

import com.cloudbees.groovy.cps.NonCPS

/**
 * One `chainloop` command line whose values travel in environment variables, never in the script text:
 * the `sh`/`bat` script only names variables, so no value can be interpolated into a shell (or leak into a
 * process listing) and the script Jenkins records stays the same whatever the values are.
 * Every method is @NonCPS: pure bookkeeping, no step, so constructors may call it too.
 */
class CliCommand implements Serializable {

    private static final long serialVersionUID = 1L
    private static final String ARGUMENT_PREFIX = 'CHAINLOOP_STEP_ARG'

    private final List<Map> tokens = []
    private final Map<String, String> values = [:]

    /** Words written into the script as they are: subcommands and flags the library itself spells. */
    CliCommand(List<String> words) {
        // A plain loop: constructors are not CPS-transformed, so they should not create closures.
        for (String word : words) {
            literal(word)
        }
    }

    @NonCPS
    CliCommand literal(String word) {
        if (!(word ==~ /[A-Za-z0-9][A-Za-z0-9-]*|--?[a-z][a-z-]*/)) {
            throw new IllegalArgumentException("command word \"${word}\" is not a plain word: pass it as a value")
        }
        tokens << [literal: word]
        return this
    }

    /** `--flag <value>` where the value is carried by a variable of its own; nothing is added for null. */
    @NonCPS
    CliCommand option(String flag, Object value) {
        if (value == null) {
            return this
        }
        literal(flag)
        String variable = "${ARGUMENT_PREFIX}${values.size() + 1}"
        values[variable] = value.toString()
        tokens << [variable: variable]
        return this
    }

    /** `--flag <value>` for each value of a list. */
    @NonCPS
    CliCommand options(String flag, List<Object> list) {
        (list ?: []).each { Object value -> option(flag, value) }
        return this
    }

    /** `--flag` alone when on. */
    @NonCPS
    CliCommand flag(String flag, boolean on) {
        if (on) {
            literal(flag)
        }
        return this
    }

    /** `--flag "$VARIABLE"`: the value is a variable the shell already has (a credential file path). */
    @NonCPS
    CliCommand optionFromVariable(String flag, String variable) {
        literal(flag)
        tokens << [variable: variable]
        return this
    }

    /** The `NAME=value` list for `withEnv`: the command's own values, and the launcher's. */
    @NonCPS
    List<String> environment(Map<String, String> launcher) {
        List<String> entries = []
        (launcher + values).each { String name, String value -> entries << "${name}=${value}".toString() }
        return entries
    }

    /** The script for `sh`: the launcher variables, then the words; every variable double-quoted. */
    @NonCPS
    String unixScript(List<String> launcherVariables) {
        List<String> words = launcherVariables.collect { String name -> "\"\$${name}\"" }
        words.addAll(tokens.collect { Map token -> token.literal ?: "\"\$${token.variable}\"" })
        return words.join(' ')
    }

    /**
     * The script for `bat`. Delayed expansion (`!NAME!`) substitutes values after cmd has parsed the line, so `&`,
     * `|`, `%` or `^` in a value stay characters; `@` keeps cmd from echoing the line into the build log.
     */
    @NonCPS
    String windowsScript(List<String> launcherVariables) {
        List<String> words = launcherVariables.collect { String name -> "\"!${name}!\"" }
        words.addAll(tokens.collect { Map token -> token.literal ?: "\"!${token.variable}!\"" })
        return '@setlocal EnableDelayedExpansion\n@' + words.join(' ')
    }

    /**
     * A value Windows cannot pass: programs split their command line at double quotes themselves, so a `"` inside
     * a value would cut it in pieces. Null when every value can be passed.
     */
    @NonCPS
    String valueWindowsCannotPass() {
        return values.values().find { String value -> value.contains('"') }
    }

}
