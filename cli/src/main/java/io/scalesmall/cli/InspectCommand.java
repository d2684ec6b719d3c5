package io.scalesmall.cli;

import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.wire.CodecException;
import io.scalesmall.wire.FrameConfig;
import io.scalesmall.wire.Keyring;
import io.scalesmall.wire.Wire;
import io.scalesmall.wire.WireMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code scalesmall inspect}: opens a captured frame with the cluster's key and prints what it holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {
            "Decodes one scalesmall frame (e.g. a captured UDP payload or TCP frame) and prints its message.",
            "Exit code 0: decoded; 2: rejected (the reason is printed); 1: the file or key could not be read."})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The frame's bytes; '-' reads standard input.")
    String file;

    @Option(names = "--key-file", required = true, description = "The cluster's key file (see 'scalesmall keygen').")
    Path keyFile;

    @Option(names = "--label", defaultValue = "scalesmall", description = "The cluster label (default ${DEFAULT-VALUE}).")
    String label;

    @Option(names = "--max-frame-bytes", defaultValue = "" + FrameConfig.DEFAULT_MAX_FRAME_BYTES,
            description = "Largest frame accepted, bytes (default ${DEFAULT-VALUE}).")
    int maxFrameBytes;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Wire wire;
        byte[] bytes;
        try {
            Keyring ring = Keyring.parse(Files.readString(keyFile, StandardCharsets.US_ASCII));
            wire = new Wire(FrameConfig.of(label, ring).withMaxFrameBytes(maxFrameBytes));
            bytes = "-".equals(file) ? System.in.readNBytes(maxFrameBytes + 1) : readBounded(Path.of(file));
        } catch (IOException | IllegalArgumentException e) {
            err.println("inspect: " + e.getMessage());
            return 1;
        }
        try {
            WireMessage m = wire.decode(bytes);
            out.println("frame: " + bytes.length + " bytes, type " + m.type());
            print(out, m, "");
            out.flush();
            return 0;
        } catch (CodecException e) {
            err.println("inspect: rejected: " + e.getMessage());
            return 2;
        }
    }

    private byte[] readBounded(Path p) throws IOException {
        long size = Files.size(p);
        if (size > maxFrameBytes) {
            throw new IOException(p + " is " + size + " bytes, more than --max-frame-bytes " + maxFrameBytes);
        }
        return Files.readAllBytes(p);
    }

    private static void print(PrintWriter out, WireMessage m, String indent) {
        m.accept(new WireMessage.Handler<Void>() {
            @Override
            public Void onGossip(WireMessage.Gossip g) {
                out.println(indent + "gossip " + g.current() + ", seen " + g.seen() + ", distribution " + g.distribution());
                if (!g.updates().isEmpty()) {
                    out.println(indent + "updates " + g.updates());
                }
                out.println(indent + "payload: " + g.payload().type());
                print(out, g.payload(), indent + "  ");
                return null;
            }

            @Override
            public Void onGroupState(WireMessage.GroupStateMessage s) {
                state(s.state());
                return null;
            }

            @Override
            public Void onGroupDelta(WireMessage.GroupDeltaMessage d) {
                state(d.delta());
                return null;
            }

            @Override
            public Void onDigest(WireMessage.DigestMessage d) {
                out.println(indent + "group " + d.group() + ", digest " + String.format("%016x", d.digest()));
                clock(d.clock().entries());
                return null;
            }

            @Override
            public Void onSwim(WireMessage.SwimPacket p) {
                out.println(indent + "from " + p.from());
                p.messages().forEach(m -> out.println(indent + "  " + m));
                return null;
            }

            private void state(GroupState s) {
                out.println(indent + "group " + s.group() + ", " + s.worldClock().size() + " members in clock, "
                        + s.itemCount() + " items, digest " + String.format("%016x", s.digest()));
                clock(s.worldClock().entries());
                out.println(indent + String.format("%-24s %-4s %10s %10s %5s %10s %s", "MEMBER", "OP", "START", "END", "PORT", "PRIORITY", "CLOCK"));
                for (TimedItem t : s.items()) {
                    out.println(indent + String.format("%-24s %-4s %10d %10d %5d %10d %d.%d", t.member(), t.op(),
                            t.item().start(), t.item().end(), t.item().port(), t.item().priority(),
                            t.updatedAt().incarnation(), t.updatedAt().counter()));
                }
            }

            private void clock(Map<NetId, DotSet> entries) {
                entries.forEach((member, dots) -> out.println(indent + "  clock " + member + " " + dots));
            }
        });
    }
}
