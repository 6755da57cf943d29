package harness

/**
 * Base class of the Jenkinsfile and of every vars/ script in the harness: a call that is not a method of the script
 * is a pipeline step (or a library global variable), as in Jenkins' CpsScript.
 */
// Script.run() is what each parsed script implements, hence abstract.
// groovylint-disable-next-line AbstractClassWithoutAbstractMethod
abstract class PipelineScript extends Script {

    def methodMissing(String name, Object args) {
        return FakeJenkins.current.invokeStep(name, args as Object[])
    }

    def propertyMissing(String name) {
        return FakeJenkins.current.globalVariable(name)
    }

}
