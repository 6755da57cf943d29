package harness

/** `currentBuild.rawBuild`, the hudson.model.Run behind the RunWrapper: only its actions (`getActions()`). */
class FakeRun {

    final List<Object> actions = []

}
