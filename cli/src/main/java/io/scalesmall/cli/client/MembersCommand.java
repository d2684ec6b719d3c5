package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code scalesmall members GROUP}: the members of a group as one node sees them. */
@Command(name = "members", mixinStandardHelpOptions = true,
        description = {"Lists the members of GROUP as the node sees them: ID (ip:port) and STATE.",
            "STATE is always 'alive' until failure detection exists.",
            "Exit code 0: listed; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class MembersCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        return client.get(NodeClient.groupPath(group, "members"));
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
        JsonNode members = answer.path("members");
        if (members.isEmpty()) {
            out.println("no members in " + group);
            return;
        }
        Table t = new Table("ID", "STATE");
        for (JsonNode m : members) {
            t.row(m.path("id").asText(), m.path("state").asText());
        }
        t.print(out);
    }
}
