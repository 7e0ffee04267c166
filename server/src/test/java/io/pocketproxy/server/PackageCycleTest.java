package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The server's packages depend on each other in one direction only: the API knows the services, the
 * services know nothing of HTTP. Read from the compiled classes by the JDK's own {@code jdeps}, so a
 * fully qualified name in code counts as much as an import.
 */
class PackageCycleTest {

    private static final Pattern EDGE =
            Pattern.compile("^\\s*(io\\.pocketproxy\\.server[\\w.]*)\\s+->\\s+(io\\.pocketproxy\\.server[\\w.]*)\\s");

    @Test
    void serverPackagesFormNoCycle() {
        Map<String, Set<String>> graph = packageGraph(Path.of("target", "classes"));
        assertThat(graph.get("io.pocketproxy.server.api"))
                .as("jdeps output was read (api depends on the services)")
                .contains("io.pocketproxy.server.connections");

        assertThat(cycles(graph)).as("package cycles in the server").isEmpty();
    }

    private static Map<String, Set<String>> packageGraph(Path classes) {
        assertThat(Files.isDirectory(classes)).as("%s exists", classes).isTrue();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new AssertionError("jdeps is missing: run the tests on a JDK, not a JRE"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = jdeps.run(
                new PrintWriter(out),
                new PrintWriter(err),
                "-verbose:package",
                "-e",
                "io\\.pocketproxy\\.server(\\..*)?",
                classes.toString());
        assertThat(exit).as("jdeps: %s", err).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\\R")) {
            Matcher edge = EDGE.matcher(line);
            if (edge.find() && !edge.group(1).equals(edge.group(2))) {
                graph.computeIfAbsent(edge.group(1), from -> new TreeSet<>()).add(edge.group(2));
            }
        }
        return graph;
    }

    /** Tarjan's strongly connected components of more than one package: each is a cycle. */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> lowest = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> found = new ArrayList<>();
        for (String start : graph.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, graph, index, lowest, stack, found);
            }
        }
        return found;
    }

    private static void connect(
            String node,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> lowest,
            Deque<String> stack,
            List<Set<String>> found) {
        index.put(node, index.size());
        lowest.put(node, index.get(node));
        stack.push(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, lowest, stack, found);
                lowest.put(node, Math.min(lowest.get(node), lowest.get(next)));
            } else if (stack.contains(next)) {
                lowest.put(node, Math.min(lowest.get(node), index.get(next)));
            }
        }
        if (lowest.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
