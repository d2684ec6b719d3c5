package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scalesmall.topology.NetId;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scalesmall join GROUP [--seed ip:port]...}: makes a node join a group. */
@Command(name = "join", mixinStandardHelpOptions = true,
        description = {"Makes the node join GROUP: it announces itself by multicast, to the members it knows,",
            "and to each --seed, and fetches the seeds' view of the group.",
            "Exit code 0: joined; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class JoinCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Option(names = "--seed", paramLabel = "IP:PORT",
            description = "A node already in the group (its gossip address: a.b.c.d:port or [v6]:port); repeatable.")
    List<String> seeds = new ArrayList<>();

    @Override
    void validate() {
        for (String s : seeds) {
            try {
                NetId.parse(s);
            } catch (IllegalArgumentException e) {
                throw badArgument("--seed: " + e.getMessage());
            }
        }
    }

    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        ObjectNode body = null;
        if (!seeds.isEmpty()) {
            body = NodeClient.JSON.createObjectNode();
            ArrayNode arr = body.putArray("seeds");
            seeds.forEach(arr::add);
        }
        return client.post(NodeClient.groupPath(group, "join"), body);
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
        long n = answer.path("members").asLong();
        out.println("joined " + group + " (" + n + (n == 1 ? " member" : " members") + " known)");
    }
}
