// Runs Jenkinsfiles against the shared library with stubbed Jenkins steps (see harness/FakeJenkins.groovy).
// Usage: groovy -cp test/harness/classpath test/harness/JenkinsHarness.groovy scenario.json…
// Each scenario JSON names the library, the Jenkinsfile, the build environment, the credentials and where to write
// the report (outcome, result, recorded steps, console).
import groovy.json.JsonOutput
import groovy.json.JsonSlurper
import harness.FakeJenkins

args.each { String path ->
    Map scenario = new JsonSlurper().parse(new File(path)) as Map
    Map report = new FakeJenkins(scenario).run()
    new File(scenario.report as String).text = JsonOutput.toJson(report)
}
