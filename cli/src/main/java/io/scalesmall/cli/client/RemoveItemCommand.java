package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scalesmall remove-item GROUP --start S --end E}: withdraws a served key range. */
@Command(name = "remove-item", mixinStandardHelpOptions = true,
        description = {"Makes the node withdraw its item START..END of GROUP: writes its tombstone (op RMV).",
            "Prints the tombstone written.",
            "Exit code 0: written; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class RemoveItemCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Option(names = "--start", required = true, paramLabel = "S", description = "First key of the item, 0..4294967295.")
    long start;

    @Option(names = "--end", required = true, paramLabel = "E", description = "Last key of the item, START..4294967295.")
    long end;

    @Override
    void validate() {
        checkKey("--start", start);
        checkKey("--end", end);
        if (start > end) {
            throw badArgument("--start: " + start + " is after --end " + end);
        }
    }

    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        return client.delete(NodeClient.groupPath(group, "items"),
                NodeClient.JSON.createObjectNode().put("start", start).put("end", end));
    }

    @Override
    void print(JsonNode item, PrintWriter out) {
        out.println("removed from " + group + ": " + AddItemCommand.describe(item));
    }
}
