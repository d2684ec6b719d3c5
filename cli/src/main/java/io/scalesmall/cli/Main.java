package io.scalesmall.cli;

import io.scalesmall.cli.bench.BenchCommand;
import io.scalesmall.cli.demo.DemoCommand;
import io.scalesmall.cli.stream.ConsumeCommand;
import io.scalesmall.cli.stream.ProduceCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code scalesmall} command line. Each subcommand is its own class; this one only dispatches. */
@Command(name = "scalesmall",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "scalesmall: a self-organising distributed small-message server.",
            "Nodes join named groups, advertise the key ranges they serve, and agree on the topology by gossip."},
        subcommands = {NodeCommand.class, KeygenCommand.class, InspectCommand.class, SimulateCommand.class,
            ProduceCommand.class, ConsumeCommand.class, BenchCommand.class, DemoCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    /** Runs the CLI and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** @return the configured command line, for tests and embedding */
    public static CommandLine commandLine() {
        // Register the client commands before the setting below, which picocli passes only to existing subcommands.
        return io.scalesmall.cli.client.ClientCommands.register(new CommandLine(new Main()))
                .setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version Maven wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            return new String[] {"scalesmall " + version(), "Java " + Runtime.version()};
        }

        static String version() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("/scalesmall-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return p.getProperty("version", "unknown");
        }
    }
}
