package io.pocketproxy.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code bench/run}: measures PocketProxy (relay + agent) next to its do-it-yourself peer (OpenSSH
 * {@code ssh -R} dynamic forwarding) and the direct path, on this machine, in one run. With no figure it
 * runs the default set; each figure also runs alone. Tables go to standard output as Markdown, progress to
 * standard error.
 */
@Command(
        name = "bench/run",
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Measures PocketProxy (relay + agent, through SOCKS5) next to OpenSSH reverse dynamic forwarding"
                    + " (ssh -R, through SOCKS5) and the direct path, on this machine, in one run.",
            "Without a figure: the default set, every figure below in this order. Each prints a Markdown table"
                    + " (medians of interleaved rounds: ours, ssh -R, direct, ours, ...); a summary follows.",
            ""
        },
        subcommands = Soak.class,
        synopsisSubcommandLabel = "[FIGURE]",
        commandListHeading = "%nFigures, each alone: bench/run FIGURE [options] (bench/run FIGURE --help)%n",
        footer = {"", "What each figure measures, and how the peer runs: docs/benchmarks.md"})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @ArgGroup(
            validate = false,
            heading = "%nmemory: the device side's resident memory, idle, with tunnels, after downloads%n")
    DeviceMemory memory = new DeviceMemory();

    @ArgGroup(validate = false, heading = "%nbulk: one stream's download%n")
    BulkDownload bulk = new BulkDownload();

    @ArgGroup(validate = false, heading = "%nupload: one stream's upload%n")
    BulkUpload upload = new BulkUpload();

    @ArgGroup(validate = false, heading = "%nttfb: new tunnel + small GET, time to first byte%n")
    TimeToFirstByte ttfb = new TimeToFirstByte();

    @ArgGroup(validate = false, heading = "%nrtt: round trip inside an open tunnel%n")
    RoundTrip rtt = new RoundTrip();

    @ArgGroup(validate = false, heading = "%ndelayed: one stream's download over a slow link%n")
    DelayedDownload delayed = new DelayedDownload();

    @ArgGroup(validate = false, heading = "%nidle: many idle tunnels over one link%n")
    IdleStreams idle = new IdleStreams();

    @ArgGroup(validate = false, heading = "%nopenvpn: one download through OpenVPN against SOCKS5, same device%n")
    OpenVpnDownload openvpn = new OpenVpnDownload();

    @ArgGroup(validate = false, heading = "%nauth: the relay's cached credential check%n")
    CachedCredentialCheck auth = new CachedCredentialCheck();

    @ArgGroup(validate = false, heading = "%nbcrypt: one bcrypt check%n")
    BcryptCost bcrypt = new BcryptCost();

    @ArgGroup(validate = false, heading = "%nalerts: delay from a device dying to its offline webhook%n")
    OfflineAlertDelay alerts = new OfflineAlertDelay();

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new BenchCommand());
        commandLine.setExecutionExceptionHandler(BenchCommand::reportFailure);
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return run(memory, bulk, upload, ttfb, rtt, delayed, idle, openvpn, auth, bcrypt, alerts);
    }

    @Command(
            name = "memory",
            sortOptions = false,
            description = "The agent's resident memory (as the launcher starts it) idle, with idle tunnels, after"
                    + " bulk downloads, MiB; and those downloads, MB/s.")
    int memory(@Mixin DeviceMemory figure) throws Exception {
        return run(figure);
    }

    @Command(name = "bulk", sortOptions = false, description = "One stream's download, MB/s.")
    int bulk(@Mixin BulkDownload figure) throws Exception {
        return run(figure);
    }

    @Command(name = "upload", sortOptions = false, description = "One stream's upload (one POST), MB/s.")
    int upload(@Mixin BulkUpload figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "ttfb",
            sortOptions = false,
            description = "New tunnel + small GET, time to first byte at each concurrency: p50, p99, ms.")
    int ttfb(@Mixin TimeToFirstByte figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "rtt",
            sortOptions = false,
            description = "Round trip of a small message inside an open tunnel: p50, p99, µs.")
    int rtt(@Mixin RoundTrip figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "delayed",
            sortOptions = false,
            description = "One stream's download with a cellular round trip on the phone's link, MB/s.")
    int delayed(@Mixin DelayedDownload figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "idle",
            sortOptions = false,
            description = "Many idle tunnels over one link: still up, memory per tunnel.")
    int idle(@Mixin IdleStreams figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "openvpn",
            sortOptions = false,
            description = "One download through OpenVPN and the device against SOCKS5 and the device, MB/s (needs"
                    + " root: network namespaces of its own).")
    int openvpn(@Mixin OpenVpnDownload figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "auth",
            sortOptions = false,
            description = "The relay's cached credential check, µs (in process, ours only).")
    int auth(@Mixin CachedCredentialCheck figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "bcrypt",
            sortOptions = false,
            description = "One bcrypt check at our cost factor, ms (in process, ours only).")
    int bcrypt(@Mixin BcryptCost figure) throws Exception {
        return run(figure);
    }

    @Command(
            name = "alerts",
            sortOptions = false,
            description = "Delay from a device dying to its offline webhook, at scaled timings (ours only).")
    int alerts(@Mixin OfflineAlertDelay figure) throws Exception {
        return run(figure);
    }

    private int run(Figure... figures) throws Exception {
        common.validate();
        for (Figure figure : figures) {
            figure.validate();
        }
        System.out.println(header());
        List<Table> tables = new ArrayList<>();
        Testbed testbed = new Testbed(common);
        Thread stopOnExit = new Thread(testbed::close, "bench shutdown");
        Runtime.getRuntime().addShutdownHook(stopOnExit); // Ctrl-C or kill: no child outlives the bench
        try (testbed) {
            for (Figure figure : figures) {
                double start = Progress.seconds();
                Table table = figure.measure(testbed);
                Progress.say(String.format(Locale.ROOT, "%s took %.0f s", table.name(), Progress.seconds() - start));
                System.out.println(table.markdown());
                System.out.flush();
                tables.add(table);
            }
        }
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
        if (tables.size() > 1) {
            System.out.println(Table.summary(tables));
        }
        System.out.printf(
                Locale.ROOT,
                "Run took %.1f min; load average at the end %s.%n",
                Progress.seconds() / 60,
                loadAverage());
        return 0;
    }

    private String header() {
        return String.format(
                Locale.ROOT,
                "# PocketProxy bench, %s%n%n`%s` on %d cores, Java %s, %s %s, %s; load average at the start %s.%n",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
                String.join(" ", commandLine()),
                Runtime.getRuntime().availableProcessors(),
                Runtime.version(),
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                common.noPeer ? "ssh -R peer skipped" : sshVersion(),
                loadAverage());
    }

    /** As typed, so the table says how it was made. */
    private List<String> commandLine() {
        List<String> words = new ArrayList<>(List.of("bench/run"));
        words.addAll(spec.commandLine().getParseResult().expandedArgs());
        return words;
    }

    private static String sshVersion() {
        try {
            Process ssh = new ProcessBuilder("/usr/bin/ssh", "-V")
                    .redirectErrorStream(true)
                    .start();
            String version = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            ssh.waitFor();
            return version.split(",")[0];
        } catch (IOException e) {
            return "ssh not found";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "ssh version unknown";
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A failed figure says what failed in one line, then the stack trace for whoever debugs it. */
    private static int reportFailure(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        if (e instanceof IllegalArgumentException) {
            err.println("bench/run: " + e.getMessage());
            err.println("Try 'bench/run --help'.");
            return 2;
        }
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != e; cause = cause.getCause()) {
            message.append(": ").append(cause.getMessage());
        }
        err.println("bench/run " + commandLine.getCommandName() + " failed: " + message);
        e.printStackTrace(err);
        err.flush();
        return 1;
    }
}
