package harness

import hudson.AbortException
import hudson.tasks.junit.SuiteResult
import hudson.tasks.junit.TestResult
import hudson.tasks.junit.TestResultAction
import org.codehaus.groovy.control.CompilerConfiguration
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException

/**
 * Runs one Jenkinsfile with the shared library's vars/ and src/ the way Jenkins would load them, with the pipeline
 * steps the library uses stubbed: `sh` really runs its script with bash in the workspace and the build's
 * environment; `withCredentials` binds secrets from a fake credential store for the duration of its block. Every
 * step call is recorded (the script text, never the environment values) for the test to inspect.
 */
class FakeJenkins {

    static FakeJenkins current

    private static final List<String> STEPS = [
        'sh', 'bat', 'isUnix', 'withCredentials', 'withEnv', 'string', 'file', 'libraryResource', 'writeFile',
        'readFile', 'fileExists', 'pwd', 'echo', 'error', 'input', 'node', 'stage', 'dir', 'unstable', 'checkout',
        'pipeline', 'junit',
    ]

    final Map scenario
    final Map<String, String> vars = [:]
    final FakeEnv env = new FakeEnv(vars)
    final FakeBuild currentBuild = new FakeBuild()
    final List<Map> recorded = []
    final StringBuilder console = new StringBuilder()
    private final Map<String, Script> globalVars = [:]
    private final List<File> directories = []
    private final File libraryDir

    FakeJenkins(Map scenario) {
        this.scenario = scenario
        this.libraryDir = new File(scenario.libraryDir as String)
        vars.putAll(scenario.env as Map<String, String>)
        currentBuild.sandboxed = scenario.sandboxed == true
        directories << new File(vars.WORKSPACE)
    }

    /** Loads the library and runs the Jenkinsfile; returns the report the test reads. */
    Map run() {
        current = this // groovylint-disable-line AssignmentToStaticFieldFromInstanceMethod
        CompilerConfiguration compiler = new CompilerConfiguration()
        compiler.scriptBaseClass = PipelineScript.name
        GroovyClassLoader loader = new GroovyClassLoader(getClass().classLoader, compiler)
        loader.addClasspath(new File(libraryDir, 'src').path)
        Binding binding = new Binding([env: env, currentBuild: currentBuild, params: [:], scm: [:]])
        GroovyShell shell = new GroovyShell(loader, binding, compiler)
        new File(libraryDir, 'vars').listFiles().findAll { it.name.endsWith('.groovy') }.sort().each { File file ->
            globalVars[file.name - '.groovy'] = shell.parse(file)
        }
        // Jenkins resolves `@Library('…') _` before running the script; here the library is already loaded.
        String jenkinsfile = new File(scenario.jenkinsfile as String).text.replaceAll(/(?m)^@Library\(.*\)\s*_\s*$/, '')
        Script pipeline = shell.parse(jenkinsfile, 'Jenkinsfile')
        Map outcome
        try {
            Object value = pipeline.run()
            outcome = [outcome: 'returned', value: value?.toString()]
        // groovylint-disable-next-line CatchThrowable
        } catch (Throwable failure) {
            currentBuild.result = failure instanceof FlowInterruptedException ? failure.result : 'FAILURE'
            outcome = [outcome: 'threw', exception: failure.getClass().name, message: failure.message]
            console << "ERROR: ${failure.message}\n"
        } finally {
            current = null // groovylint-disable-line AssignmentToStaticFieldFromInstanceMethod
        }
        return outcome + [
            result: currentBuild.currentResult,
            steps: recorded,
            console: console.toString(),
            attestationId: vars.CHAINLOOP_ATTESTATION_ID,
        ]
    }

    Object invokeStep(String name, Object[] args) {
        if (globalVars.containsKey(name)) {
            return globalVars[name].invokeMethod('call', args)
        }
        if (!STEPS.contains(name)) {
            throw new MissingMethodException(name, getClass(), args)
        }
        return this.invokeMethod(name, args)
    }

    Object globalVariable(String name) {
        if (globalVars.containsKey(name)) {
            return globalVars[name]
        }
        throw new MissingPropertyException("No such property: ${name} (not a step, global variable or env)")
    }

    // ---- steps ----

    Object sh(Object arg) {
        Map options = arg instanceof Map ? arg : [script: arg]
        String script = options.script
        recorded << [step: 'sh', script: script, cwd: cwd().path]
        File scriptFile = new File(tmpDir(), "durable-${UUID.randomUUID()}/script.sh")
        scriptFile.parentFile.mkdirs()
        scriptFile.text = script
        ProcessBuilder builder = new ProcessBuilder('bash', '-xe', scriptFile.path).directory(cwd())
        builder.environment().clear()
        builder.environment().putAll(vars)
        Process process = builder.start()
        process.outputStream.close()
        StringBuilder out = new StringBuilder()
        StringBuilder err = new StringBuilder()
        process.waitForProcessOutput(out, err)
        int status = process.exitValue()
        scriptFile.parentFile.deleteDir()
        console << err
        if (!options.returnStdout) {
            console << out
        }
        if (options.returnStatus) {
            return status
        }
        if (status != 0) {
            throw new AbortException("script returned exit code ${status}")
        }
        return options.returnStdout ? out.toString() : null
    }

    Object bat(Object arg) {
        Map options = arg instanceof Map ? arg : [script: arg]
        recorded << [step: 'bat', script: options.script, cwd: cwd().path]
        throw new AbortException('bat: this harness agent has no cmd.exe (isUnix() is true here)')
    }

    boolean isUnix() {
        return scenario.isUnix != false
    }

    Object withCredentials(List<Map> bindings, Closure body) {
        recorded << [step: 'withCredentials', bindings: bindings*.subMap(['type', 'credentialsId', 'variable'])]
        Map<String, String> values = [:]
        List<File> secretFiles = []
        bindings.each { Map binding ->
            Map credential = (scenario.credentials as Map)[binding.credentialsId]
            if (credential == null) {
                throw new AbortException("Could not find credentials entry with ID '${binding.credentialsId}'")
            }
            if (credential.type != binding.type) {
                throw new AbortException("Credentials '${binding.credentialsId}' is of type '${credential.type}' " +
                    "where '${binding.type}' was expected")
            }
            if (binding.type == 'file') {
                File secret = new File(tmpDir(), "secretFiles/${UUID.randomUUID()}/${credential.fileName ?: 'secret'}")
                secret.parentFile.mkdirs()
                secret.text = credential.value
                secretFiles << secret.parentFile
                values[binding.variable] = secret.path
            } else {
                values[binding.variable] = credential.value
            }
        }
        try {
            return withVariables(values, body)
        } finally {
            secretFiles*.deleteDir()
        }
    }

    Object withEnv(List<Object> entries, Closure body) {
        recorded << [step: 'withEnv', names: entries.collect { it.toString().split('=', 2)[0] }]
        Map<String, String> values = [:]
        entries.each { Object entry ->
            List<String> parts = entry.toString().split('=', 2) as List
            values[parts[0]] = parts.size() > 1 ? parts[1] : ''
        }
        return withVariables(values, body)
    }

    Map string(Map options) {
        return [type: 'string'] + options
    }

    Map file(Map options) {
        return [type: 'file'] + options
    }

    String libraryResource(Object arg) {
        Map options = arg instanceof Map ? arg : [resource: arg]
        recorded << [step: 'libraryResource', resource: options.resource, encoding: options.encoding]
        File resource = new File(libraryDir, "resources/${options.resource}")
        if (!resource.isFile()) {
            throw new AbortException("No such library resource ${options.resource} could be found.")
        }
        return options.encoding == 'Base64' ? resource.bytes.encodeBase64().toString() : resource.getText('UTF-8')
    }

    void writeFile(Map options) {
        recorded << [step: 'writeFile', file: options.file, encoding: options.encoding]
        File target = resolve(options.file as String)
        target.parentFile.mkdirs()
        if (options.encoding == 'Base64') {
            target.bytes = (options.text as String).decodeBase64()
        } else {
            target.setText(options.text as String, 'UTF-8')
        }
    }

    String readFile(Object arg) {
        Map options = arg instanceof Map ? arg : [file: arg]
        return resolve(options.file as String).getText('UTF-8')
    }

    boolean fileExists(String path) {
        return resolve(path).exists()
    }

    String pwd(Map options = [:]) {
        return options.tmp ? tmpDir().path : cwd().path
    }

    void echo(Object message) {
        console << "${message}\n"
    }

    void error(String message) {
        recorded << [step: 'error', message: message]
        throw new AbortException(message)
    }

    /** A user answering "Abort" to an input step is the harness's way of aborting a build. */
    Object input(Object options) { // groovylint-disable-line UnusedMethodParameter
        recorded << [step: 'input']
        if (scenario.abortAtInput) {
            throw new FlowInterruptedException('ABORTED')
        }
        return null
    }

    /** Declarative Pipeline, as far as DeclarativePipeline models it. */
    void pipeline(Closure definition) {
        new DeclarativePipeline(this).run(definition)
    }

    /** The workspace already holds the sources the test put there. */
    void checkout(Object scm) { // groovylint-disable-line UnusedMethodParameter
        recorded << [step: 'checkout']
    }

    void unstable(Object message) {
        console << "WARNING: ${message}\n"
        currentBuild.result = 'UNSTABLE'
    }

    /**
     * The junit plugin's `junit` step, as far as the library depends on it: the `testResults` Ant pattern (several
     * separated by commas) matched under the current directory; no match fails the step as the plugin does unless
     * `allowEmptyResults`; each file parsed into one SuiteResult per `<testsuite>` (nested in `<testsuites>` or not)
     * holding the file's absolute path, merged into the build's one TestResultAction; a failed or errored case marks
     * the build UNSTABLE. Not modelled: the plugin's "none of them are new" timestamp check, Ant's default excludes,
     * the returned summary, the test result pages.
     */
    Object junit(Object arg) {
        Map options = arg instanceof Map ? arg : [testResults: arg]
        recorded << [step: 'junit', testResults: options.testResults]
        List<File> files = antMatches(cwd(), options.testResults as String)
        if (!files && !options.allowEmptyResults) {
            throw new AbortException('No test report files were found. Configuration error?')
        }
        TestResult result = new TestResult()
        files.each { File file -> suitesOf(file, new XmlParser(false, false).parse(file), result.suites) }
        // The plugin itself is trusted code: the sandbox does not apply to it.
        List<Object> actions = currentBuild.trustedRun().actions
        TestResultAction action = actions.find { it instanceof TestResultAction }
        if (action == null) {
            action = new TestResultAction()
            actions << action
        }
        action.mergeResult(result)
        int failures = result.suites.sum(0) { SuiteResult suite -> suite.failures } as int
        console << "Recording test results: ${files.size()} file(s), ${failures} failed case(s)\n"
        if (failures > 0) {
            currentBuild.result = 'UNSTABLE'
        }
        return null
    }

    Object node(Object label = null, Closure body) { // groovylint-disable-line UnusedMethodParameter
        return body()
    }

    Object stage(String name, Closure body) {
        console << "[Pipeline] stage ${name}\n"
        return body()
    }

    Object dir(String path, Closure body) {
        File directory = resolve(path)
        directory.mkdirs()
        directories << directory
        try {
            return body()
        } finally {
            directories.remove(directories.size() - 1)
        }
    }

    // ---- helpers ----

    private Object withVariables(Map<String, String> values, Closure body) {
        Map<String, String> previous = values.keySet().collectEntries { [(it): vars[it]] }
        vars.putAll(values)
        try {
            return body()
        } finally {
            previous.each { String name, String value ->
                if (value == null) {
                    vars.remove(name)
                } else {
                    vars[name] = value
                }
            }
        }
    }

    /** As the plugin's SuiteResult.parse: nested `<testsuite>`s first, then this element if it has test cases. */
    private static void suitesOf(File file, Node element, List<SuiteResult> suites) {
        List<Node> children = element.children().findAll { it instanceof Node } as List<Node>
        children.findAll { it.name() == 'testsuite' }.each { Node suite -> suitesOf(file, suite, suites) }
        List<Node> cases = children.findAll { it.name() == 'testcase' }
        if (cases || children.any { it.name() == 'error' }) {
            int failed = cases.count { Node testCase ->
                testCase.children().any { it instanceof Node && it.name() in ['failure', 'error'] }
            } as int
            suites << new SuiteResult(file.absolutePath, element.attribute('name') as String, failed)
        }
    }

    /** The regular files under `base` an Ant pattern list matches (`**` any folders, `*` and `?` within one). */
    private static List<File> antMatches(File base, String patterns) {
        List<java.util.regex.Pattern> regexes = (patterns ?: '').split(',')*.trim().findAll { it }
            .collect { String pattern -> antRegex(pattern) }
        List<File> matches = []
        base.eachFileRecurse(groovy.io.FileType.FILES) { File file ->
            String relative = base.toPath().relativize(file.toPath()).toString().replace(File.separator, '/')
            if (regexes.any { it.matcher(relative).matches() }) {
                matches << file
            }
        }
        return matches.sort { it.path }
    }

    private static java.util.regex.Pattern antRegex(String pattern) {
        String ant = pattern.replace('\\', '/')
        ant = ant.endsWith('/') ? "${ant}**" : ant
        StringBuilder regex = new StringBuilder()
        int at = 0
        while (at < ant.length()) {
            if (ant.startsWith('**/', at)) {
                regex << '(?:.*/)?'
                at += 3
            } else if (ant.startsWith('**', at)) {
                regex << '.*'
                at += 2
            } else {
                String character = ant[at]
                regex << (character == '*' ? '[^/]*' : character == '?' ? '[^/]' :
                    java.util.regex.Pattern.quote(character))
                at += 1
            }
        }
        return java.util.regex.Pattern.compile(regex.toString())
    }

    private File cwd() {
        return directories.last()
    }

    private File tmpDir() {
        File tmp = new File("${vars.WORKSPACE}@tmp")
        tmp.mkdirs()
        return tmp
    }

    private File resolve(String path) {
        File file = new File(path)
        return file.absolute ? file : new File(cwd(), path)
    }

}
