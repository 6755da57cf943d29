package hudson

/** Stand-in for Jenkins' AbortException: what `error` and a failing `sh` throw. */
class AbortException extends IOException {

    AbortException(String message) {
        super(message)
    }

}
