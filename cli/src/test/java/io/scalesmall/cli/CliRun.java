package io.scalesmall.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * Runs the {@code scalesmall} command line in-process, as {@link Main#main} would, capturing standard output and
 * standard error; the command tests share it. Each {@link #run} builds a fresh command line. Not thread-safe.
 */
public final class CliRun {
    /** Everything the runs wrote to standard output. */
    public final StringWriter out = new StringWriter();
    /** Everything the runs wrote to standard error. */
    public final StringWriter err = new StringWriter();
    private final Consumer<CommandLine> setup;

    /** Runs the command line as it is. */
    public CliRun() {
        this(cl -> { });
    }

    /** @param setup adjusts each fresh command line before it runs (e.g. a subcommand's field) */
    public CliRun(Consumer<CommandLine> setup) {
        this.setup = setup;
    }

    /** @return the exit code of {@code scalesmall args...} */
    public int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        setup.accept(cl);
        return cl.execute(args);
    }
}
