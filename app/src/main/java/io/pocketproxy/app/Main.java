package io.pocketproxy.app;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pocketproxy}: the one command that runs every part of PocketProxy. */
@Command(
        name = "pocketproxy",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Turns a fleet of phones into metered, secure proxies.",
        subcommands = {
            ServerCommand.class,
            RelayCommand.class,
            AgentCommand.class,
            DemoCommand.class,
            MigrateCommand.class,
            ImportCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("agent")) {
            System.exit(agentCommandLine().execute(Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return configured(new CommandLine(new Main()));
    }

    /**
     * {@code pocketproxy agent} alone, for the agent's JVM: the same command as under {@link #commandLine()}, without
     * building every other command's options. Those load the server, relay and import classes (some 500 classes,
     * megabytes of a small device's memory) that the agent never uses.
     */
    static CommandLine agentCommandLine() {
        return configured(new CommandLine(new AgentCommand()).setCommandName("pocketproxy agent"));
    }

    private static CommandLine configured(CommandLine commandLine) {
        commandLine.setDefaultValueProvider(new EnvironmentDefaults());
        commandLine.setExecutionExceptionHandler(Main::reportFailure);
        return commandLine;
    }

    /**
     * A command that fails says why in one line; the stack trace is for the log, where an operator who
     * needs it will look.
     */
    private static int reportFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println(commandLine.getCommandSpec().qualifiedName() + ": " + messageOf(e));
        err.flush();
        org.slf4j.LoggerFactory.getLogger(Main.class).debug("command failed", e);
        return 1;
    }

    private static String messageOf(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
        }
        return message.toString();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pocketproxy " + (version == null ? "development build" : version)};
        }
    }
}
