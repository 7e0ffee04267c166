package io.pocketproxy.server.signin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/** Fires many sign-ins at the same moment, one virtual thread each, and tallies their answers. */
final class Parallel {

    private Parallel() {}

    /** Runs {@code count} attempts released together; their answers, in order. Fails after two minutes. */
    static <T> List<T> run(int count, IntFunction<Callable<T>> attempt) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Callable<T> one = attempt.apply(i);
                answers.add(threads.submit(() -> {
                    start.await();
                    return one.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> answer : answers) {
                results.add(answer.get(2, TimeUnit.MINUTES));
            }
            return results;
        }
    }

    /** How many times each answer came. */
    static <T> Map<T, Long> tally(List<T> answers) {
        return answers.stream().collect(Collectors.groupingBy(answer -> answer, Collectors.counting()));
    }
}
