package io.pocketproxy.bench;

/**
 * One figure of the bench: it checks its options, measures against the testbed (which starts what the
 * figure asks for), and returns its table. Its options are picocli {@code @Option} fields, the same whether
 * it runs alone ({@code bench/run bulk}) or in the default set.
 */
interface Figure {

    /** Throws {@link IllegalArgumentException} naming the option, its value and what was expected. */
    void validate();

    Table measure(Testbed testbed) throws Exception;
}
