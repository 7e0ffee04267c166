package io.pocketproxy.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** A {@code pocketproxy} command run in this JVM, as {@link Main} runs it, with what it printed. */
record CommandRun(int exit, String out, String err) {

    static CommandRun of(String... args) {
        CommandLine commandLine = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new CommandRun(exit, out.toString(), err.toString());
    }

    /** Everything it printed, for failure messages and for scanning. */
    String output() {
        return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
