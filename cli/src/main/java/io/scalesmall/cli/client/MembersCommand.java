package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scalesmall members GROUP [--all]}: the members of a group as one node sees them, with the failure
 * detector's state of each.
 */
@Command(name = "members", mixinStandardHelpOptions = true,
        description = {"Lists the members of GROUP that count as the node sees them (in routes and member counts):",
            "ID (ip:port), STATE ('alive', or 'suspect': failed a probe, declared dead unless it answers",
            "in time) and INCARNATION (of the member's current life; rises on a restart).",
            "With --all, also the members the node holds 'dead' or 'left' whose items it still keeps.",
            "Exit code 0: listed; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class MembersCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Option(names = "--all", description = "Also list members held dead or left (not counted until they return).")
    boolean all;

    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        return client.get(NodeClient.groupPath(group, "members"));
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
        JsonNode members = answer.path("members");
        JsonNode down = answer.path("down");
        if (members.isEmpty() && (!all || down.isEmpty())) {
            out.println("no members in " + group + (!all && !down.isEmpty()
                    ? " (" + down.size() + " dead or left: see --all)" : ""));
            return;
        }
        Table t = new Table("ID", "STATE", ">INCARNATION");
        rows(t, members);
        if (all) {
            rows(t, down);
        }
        t.print(out);
    }

    private static void rows(Table t, JsonNode list) {
        for (JsonNode m : list) {
            JsonNode inc = m.path("incarnation");
            t.row(m.path("id").asText(), m.path("state").asText(), inc.isIntegralNumber() ? inc.asText() : "-");
        }
    }
}
