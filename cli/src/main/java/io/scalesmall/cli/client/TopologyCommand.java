package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.scalesmall.topology.Op;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/** {@code scalesmall topology GROUP [--op ADD]}: a group's items, tombstones included, as one node holds them. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = {"Prints the items of GROUP the node holds, with the group's digest: per item its MEMBER, OP",
            "(ADD serves keys, GET is a join, RMV a tombstone), key range START..END, PORT, PRIORITY,",
            "CLOCK (incarnation.counter of the write) and UPDATED (the writer's wall time, UTC).",
            "Exit code 0: printed; 1: node unreachable or HTTP error; 2: bad arguments."})
public final class TopologyCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String group;

    @Option(names = "--op", paramLabel = "OP", converter = OpConverter.class,
            description = "Only items with this op: ADD, RMV or GET (any case).")
    Op op;

    @Override
    NodeClient.Answer request(NodeClient client) throws NodeException {
        return client.get(NodeClient.groupPath(group, "topology") + (op == null ? "" : "?op=" + op.name()));
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
        JsonNode items = answer.path("items");
        out.println("group " + group + ", digest " + answer.path("digest").asText() + ", " + items.size()
                + (items.size() == 1 ? " item" : " items") + (op == null ? "" : " with op " + op));
        if (items.isEmpty()) {
            return;
        }
        Table t = new Table("MEMBER", "OP", ">START", ">END", ">PORT", ">PRIORITY", "CLOCK", "UPDATED");
        for (JsonNode i : items) {
            JsonNode c = i.path("clock");
            t.row(i.path("member").asText(), i.path("op").asText(), i.path("start").asLong(), i.path("end").asLong(),
                    i.path("port").asInt(), i.path("priority").asLong(),
                    c.path("incarnation").asLong() + "." + c.path("counter").asLong(),
                    Instant.ofEpochMilli(i.path("timestamp_ms").asLong()));
        }
        t.print(out);
    }

    /** Case-insensitive {@link Op}, whatever the command line's enum setting. */
    static final class OpConverter implements ITypeConverter<Op> {
        @Override
        public Op convert(String value) {
            try {
                return Op.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not ADD, RMV or GET");
            }
        }
    }
}
