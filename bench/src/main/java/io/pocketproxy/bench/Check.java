package io.pocketproxy.bench;

/** Option checks whose messages name the option, the value and what was expected. */
final class Check {

    private Check() {}

    static void atLeast(String option, long value, long minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: >= " + minimum + ")");
        }
    }
}
