package org.jenkinsci.plugins.scriptsecurity.sandbox

/** Stand-in for script-security's exception (same name and base class): a call the sandbox refuses. */
class RejectedAccessException extends SecurityException {

    RejectedAccessException(String message) {
        super(message)
    }

}
