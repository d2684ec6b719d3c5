package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code scalesmall groups}: the groups a node knows of, whether it is in each, and how many members each has. */
@Command(name = "groups", mixinStandardHelpOptions = true,
        description = {"Lists the groups the node knows of: NAME, MEMBER (is the node in it), MEMBERS (count).",
            "Exit code 0: listed; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class GroupsCommand extends ClientCommand {
    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        return client.get("/v1/groups");
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
        JsonNode groups = answer.path("groups");
        if (groups.isEmpty()) {
            out.println("no groups known");
            return;
        }
        Table t = new Table("NAME", "MEMBER", ">MEMBERS");
        for (JsonNode g : groups) {
            t.row(g.path("name").asText(), g.path("member").asBoolean() ? "yes" : "no", g.path("members").asLong());
        }
        t.print(out);
    }
}
