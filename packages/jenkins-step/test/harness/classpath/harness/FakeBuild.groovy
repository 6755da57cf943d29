package harness

/** The `currentBuild` global: a result that, as in Jenkins, can only get worse. */
class FakeBuild {

    private static final List<String> ORDER = ['SUCCESS', 'UNSTABLE', 'FAILURE', 'NOT_BUILT', 'ABORTED']

    String result

    void setResult(String value) {
        if (result == null || ORDER.indexOf(value) > ORDER.indexOf(result)) {
            result = value
        }
    }

    String getCurrentResult() {
        return result ?: 'SUCCESS'
    }

}
