package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every client command shares: {@code --node} and {@code --json}, one request to the node, and the exit
 * codes: 0 done; 1 the node could not be reached or answered with an HTTP error (one line on stderr,
 * {@code scalesmall: ...}); 2 bad arguments (picocli's usage error, also for values this class refuses).
 */
abstract class ClientCommand implements Callable<Integer> {
    /** The admin endpoint a node listens on unless configured otherwise ({@code http} in its config). */
    static final String DEFAULT_NODE = "http://127.0.0.1:29980";

    @Spec
    CommandSpec spec;

    @Option(names = "--node", paramLabel = "URL", defaultValue = DEFAULT_NODE,
            description = "The node's admin endpoint (default ${DEFAULT-VALUE}, a node's default 'http' address).")
    String node;

    @Option(names = "--json", description = "Print the node's JSON answer as is instead of a table.")
    boolean json;

    @Override
    public final Integer call() {
        URI uri = nodeUri();
        validate();
        PrintWriter out = spec.commandLine().getOut();
        try {
            NodeClient.Answer a = request(new NodeClient(uri));
            if (json) {
                out.println(a.raw());
            } else {
                print(a.json(), out);
            }
            out.flush();
            return 0;
        } catch (NodeException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("scalesmall: " + e.getMessage());
            err.flush();
            return 1;
        }
    }

    /** Checks option values beyond their types; throws {@link #badArgument} to exit with 2. */
    void validate() {
    }

    /** Makes the command's one request. */
    abstract NodeClient.Answer request(NodeClient client) throws NodeException;

    /** Prints the answer for a person. */
    abstract void print(JsonNode answer, PrintWriter out);

    /** @return a usage error: picocli prints it with the usage and exits with 2 */
    final ParameterException badArgument(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private URI nodeUri() {
        try {
            URI u = new URI(node);
            boolean ok = ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                    && u.getRawQuery() == null && u.getRawFragment() == null && u.getRawUserInfo() == null
                    && (u.getRawPath() == null || u.getRawPath().matches("/*"));
            if (ok) {
                return u;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw badArgument("--node: '" + node + "' is not http://HOST:PORT");
    }

    /** Checks a key: 0..2^32-1. */
    final void checkKey(String option, long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw badArgument(option + ": " + value + " is not in 0..4294967295");
        }
    }
}
