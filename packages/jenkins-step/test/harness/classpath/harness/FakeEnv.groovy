package harness

/** The `env` global: property reads and writes over the build's environment variables. */
class FakeEnv extends GroovyObjectSupport {

    private final Map<String, String> vars

    /** Reads and writes go to this map (property access on this object would only ever see variables). */
    FakeEnv(Map<String, String> vars) {
        this.vars = vars
    }

    @Override
    Object getProperty(String name) {
        return vars[name]
    }

    @Override
    void setProperty(String name, Object value) {
        if (value == null) {
            vars.remove(name)
        } else {
            vars[name] = value.toString()
        }
    }

    Object getAt(String name) {
        return vars[name]
    }

    void putAt(String name, Object value) {
        setProperty(name, value)
    }

}
