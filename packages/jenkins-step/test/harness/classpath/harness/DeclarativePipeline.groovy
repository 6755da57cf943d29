package harness

import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException

/**
 * Just enough of Declarative Pipeline to run the README's examples: `agent`, `environment`, sequential `stages`
 * with `steps`, and `post` conditions in Jenkins' order. A failing stage skips the later ones, sets the result
 * (FAILURE, or the interruption's result), runs `post`, and the build ends with that error, as in Jenkins; a failing
 * post condition sets FAILURE and the later conditions still run.
 * Not modelled: parallel, when, options, input/agent per stage, matrix.
 */
class DeclarativePipeline {

    /** The order Jenkins evaluates post conditions in. */
    static final List<String> POST_ORDER = [
        'always', 'changed', 'fixed', 'regression', 'aborted', 'failure', 'success', 'unstable', 'unsuccessful',
        'cleanup',
    ]

    final FakeJenkins jenkins
    final Map<String, String> environment = [:]
    final List<Map> stages = []
    final Map<String, Closure> post = [:]

    DeclarativePipeline(FakeJenkins jenkins) {
        this.jenkins = jenkins
    }

    void run(Closure definition) {
        evaluate(definition, new DeclarativeSections(this))
        jenkins.vars.putAll(environment)
        Throwable failure = null
        for (Map stage : stages) {
            jenkins.console << "[Pipeline] stage ${stage.name}\n"
            try {
                stage.steps.call()
            // groovylint-disable-next-line CatchThrowable
            } catch (Throwable error) {
                failure = error
                jenkins.currentBuild.result = error instanceof FlowInterruptedException ? error.result : 'FAILURE'
                break
            }
        }
        // As Jenkins does: each condition is checked against the result as it is when its turn comes, and a failing
        // condition sets FAILURE (so `unsuccessful` runs after a failing `success`) without stopping the later ones;
        // the build ends with the first error.
        for (String condition : POST_ORDER) {
            if (!post.containsKey(condition) || !applies(condition, jenkins.currentBuild.currentResult)) {
                continue
            }
            jenkins.console << "[Pipeline] post ${condition}\n"
            try {
                post[condition].call()
            // groovylint-disable-next-line CatchException
            } catch (Exception error) {
                jenkins.currentBuild.result = 'FAILURE'
                failure = failure ?: error
            }
        }
        if (failure != null) {
            throw failure
        }
    }

    private static boolean applies(String condition, String result) {
        switch (condition) {
            case 'always':
            case 'cleanup':
                return true
            case 'success':
                return result == 'SUCCESS'
            case 'failure':
                return result == 'FAILURE'
            case 'unstable':
                return result == 'UNSTABLE'
            case 'aborted':
                return result == 'ABORTED'
            case 'unsuccessful':
                return result != 'SUCCESS'
            default:
                return false // changed / fixed / regression compare with a previous build, which there is not
        }
    }

    static void evaluate(Closure section, Object delegate) {
        Closure copy = section.rehydrate(delegate, section.owner, section.thisObject)
        copy.resolveStrategy = Closure.DELEGATE_FIRST
        copy.call()
    }

}

/** The top level of `pipeline { }`. */
/** The top level of `pipeline { }`. */
class DeclarativeSections {

    private final DeclarativePipeline pipeline

    DeclarativeSections(DeclarativePipeline pipeline) {
        this.pipeline = pipeline
    }

    Object getAny() {
        return 'any'
    }

    Object getNone() {
        return 'none'
    }

    void agent(Object kind) {
        pipeline.jenkins.console << "[Pipeline] agent ${kind}\n"
    }

    void environment(Closure variables) {
        DeclarativePipeline.evaluate(variables, new DeclarativeEnvironment(pipeline.environment))
    }

    void stages(Closure body) {
        DeclarativePipeline.evaluate(body, new DeclarativeStages(pipeline.stages))
    }

    void post(Closure conditions) {
        DeclarativePipeline.evaluate(conditions, new DeclarativePostConditions(pipeline.post))
    }

}

/** `environment { NAME = 'value' }`. */
class DeclarativeEnvironment {

    private final Map<String, String> variables

    DeclarativeEnvironment(Map<String, String> variables) {
        this.variables = variables
    }

    void propertyMissing(String name, Object value) {
        variables[name] = value.toString()
    }

}

/** `stages { stage('name') { steps { … } } }`. */
class DeclarativeStages {

    private final List<Map> stages

    DeclarativeStages(List<Map> stages) {
        this.stages = stages
    }

    void stage(String name, Closure body) {
        DeclarativeStage stage = new DeclarativeStage()
        DeclarativePipeline.evaluate(body, stage)
        stages << [name: name, steps: stage.body]
    }

}

/** `stage('name') { steps { … } }`. */
class DeclarativeStage {

    Closure body

    void steps(Closure steps) {
        body = steps
    }

}

/** `post { success { … } failure { … } }`. */
class DeclarativePostConditions {

    private final Map<String, Closure> conditions

    DeclarativePostConditions(Map<String, Closure> conditions) {
        this.conditions = conditions
    }

    Object methodMissing(String condition, Object args) {
        if (!DeclarativePipeline.POST_ORDER.contains(condition)) {
            throw new MissingMethodException(condition, DeclarativePostConditions, args as Object[])
        }
        conditions[condition] = (args as Object[])[0] as Closure
        return null
    }

}
