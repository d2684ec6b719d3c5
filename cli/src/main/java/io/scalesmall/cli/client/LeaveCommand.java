package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code scalesmall leave GROUP}: makes a node leave a group. */
@Command(name = "leave", mixinStandardHelpOptions = true,
        description = {"Makes the node leave GROUP: all of its items there become tombstones, which it broadcasts.",
            "Exit code 0: left; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class LeaveCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        return client.post(NodeClient.groupPath(group, "leave"), null);
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
        long n = answer.path("members").asLong();
        out.println("left " + group + " (" + n + (n == 1 ? " member remains" : " members remain") + ")");
    }
}
