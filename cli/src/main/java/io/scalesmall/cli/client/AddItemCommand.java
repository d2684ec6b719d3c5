package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scalesmall add-item GROUP --start S --end E --port P [--priority N]}: announces a served key range. */
@Command(name = "add-item", mixinStandardHelpOptions = true,
        description = {"Makes the node announce that it serves keys START..END (inclusive) of GROUP on PORT.",
            "Writing the same START..END again replaces its port and priority. Prints the item written.",
            "Exit code 0: written; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class AddItemCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Option(names = "--start", required = true, paramLabel = "S", description = "First key, 0..4294967295.")
    long start;

    @Option(names = "--end", required = true, paramLabel = "E", description = "Last key, START..4294967295.")
    long end;

    @Option(names = "--port", required = true, paramLabel = "P", description = "Service port, 0..65535.")
    int port;

    @Option(names = "--priority", defaultValue = "0", paramLabel = "N",
            description = "Routing preference, 0..2147483647; higher is preferred (default ${DEFAULT-VALUE}).")
    int priority;

    @Override
    void validate() {
        checkKey("--start", start);
        checkKey("--end", end);
        if (start > end) {
            throw badArgument("--start: " + start + " is after --end " + end);
        }
        if (port < 0 || port > 0xFFFF) {
            throw badArgument("--port: " + port + " is not in 0..65535");
        }
        if (priority < 0) {
            throw badArgument("--priority: " + priority + " is negative");
        }
    }

    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        return client.post(NodeClient.groupPath(group, "items"), NodeClient.JSON.createObjectNode()
                .put("start", start).put("end", end).put("port", port).put("priority", priority));
    }

    @Override
    void print(JsonNode item, PrintWriter out) {
        out.println("added to " + group + ": " + describe(item));
    }

    /** @return e.g. {@code 10.0.0.1:29999 ADD 0..255 port 11000 priority 5, clock 7.3} */
    static String describe(JsonNode i) {
        JsonNode c = i.path("clock");
        return i.path("member").asText() + " " + i.path("op").asText() + " " + i.path("start").asLong() + ".."
                + i.path("end").asLong() + " port " + i.path("port").asInt() + " priority " + i.path("priority").asLong()
                + ", clock " + c.path("incarnation").asLong() + "." + c.path("counter").asLong();
    }
}
