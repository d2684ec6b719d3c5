package io.scalesmall.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.scalesmall.node.admin.InProcessNode;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.SwimMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class ClientCommandsTest {
    private final InProcessNode node = new InProcessNode(29501);
    private StringWriter out = new StringWriter();
    private StringWriter err = new StringWriter();

    @AfterEach
    void close() {
        node.close();
    }

    /** Runs {@code cmd} against the in-process node with fresh captured output. */
    private int run(ClientCommand cmd, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--node");
        all.add(node.baseUrl());
        return runRaw(cmd, all.toArray(String[]::new));
    }

    private int runRaw(Object cmd, String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private String out() {
        return out.toString();
    }

    @Test
    void joinThenMembersAndGroupsPrintAlignedTables() {
        assertThat(run(new JoinCommand(), "orders")).isZero();
        assertThat(out()).isEqualTo("joined orders (1 member known)\n");

        assertThat(run(new MembersCommand(), "orders")).isZero();
        assertThat(out()).isEqualTo("ID               STATE  INCARNATION\n127.0.0.1:29501  alive            1\n");

        assertThat(run(new GroupsCommand())).isZero();
        assertThat(out()).isEqualTo("NAME    MEMBER  MEMBERS\norders  yes           1\n");
        assertThat(err.toString()).isEmpty();

        assertThat(run(new LeaveCommand(), "orders")).isZero();
        assertThat(out()).isEqualTo("left orders (0 members remain)\n");
        assertThat(run(new MembersCommand(), "orders")).isZero();
        assertThat(out()).isEqualTo("no members in orders\n");
        assertThat(run(new GroupsCommand())).isZero();
        assertThat(out()).isEqualTo("NAME    MEMBER  MEMBERS\norders  no            0\n");
    }

    /** STATE shows the failure detector's view; dead members are left out unless --all. */
    @Test
    void membersShowStatesAndDownMembersOnlyWithAll() {
        assertThat(run(new JoinCommand(), "orders")).isZero();
        NetId peer = NetId.parse("127.0.0.1:29502");
        NetId other = NetId.parse("127.0.0.1:29503");
        node.deliverJoin("orders", peer, 1_700_000_000_123L);
        node.deliverSwim(other, new SwimMessage.Suspect(peer, 1_700_000_000_123L, other));
        assertThat(run(new MembersCommand(), "orders")).isZero();
        assertThat(out()).isEqualTo("""
                ID               STATE      INCARNATION
                127.0.0.1:29501  alive                1
                127.0.0.1:29502  suspect  1700000000123
                """);

        node.deliverSwim(other, new SwimMessage.Dead(peer, 1_700_000_000_123L, other));
        assertThat(run(new MembersCommand(), "orders")).isZero();
        assertThat(out()).isEqualTo("ID               STATE  INCARNATION\n127.0.0.1:29501  alive            1\n");
        assertThat(run(new MembersCommand(), "orders", "--all")).isZero();
        assertThat(out()).isEqualTo("""
                ID               STATE    INCARNATION
                127.0.0.1:29501  alive              1
                127.0.0.1:29502  dead   1700000000123
                """);

        assertThat(run(new LeaveCommand(), "orders")).isZero();
        assertThat(run(new MembersCommand(), "orders")).isZero();
        assertThat(out()).isEqualTo("no members in orders (1 dead or left: see --all)\n");
    }

    @Test
    void emptyListsSaySo() {
        assertThat(run(new GroupsCommand())).isZero();
        assertThat(out()).isEqualTo("no groups known\n");
        assertThat(run(new TopologyCommand(), "nobody")).isZero();
        assertThat(out()).matches("group nobody, digest [0-9a-f]{16}, 0 items\n");
    }

    @Test
    void addItemShowsInTopologyAndRemoveItemWritesATombstone() {
        assertThat(run(new JoinCommand(), "orders")).isZero();
        assertThat(run(new AddItemCommand(), "orders", "--start", "100", "--end", "4294967295", "--port", "11000",
                "--priority", "5")).isZero();
        assertThat(out()).matches(
                "added to orders: 127\\.0\\.0\\.1:29501 ADD 100\\.\\.4294967295 port 11000 priority 5, clock 1\\.\\d+\n");

        assertThat(run(new TopologyCommand(), "orders")).isZero();
        String[] lines = out().split("\n");
        assertThat(lines[0]).matches("group orders, digest [0-9a-f]{16}, 2 items");
        assertThat(lines[1]).startsWith("MEMBER           OP   START         END   PORT  PRIORITY  CLOCK");
        assertThat(lines).hasSize(4);
        assertThat(lines[2]).matches("127\\.0\\.0\\.1:29501  GET      0  4294967295      0         0  1\\.\\d+ +\\S+Z");
        assertThat(lines[3]).matches("127\\.0\\.0\\.1:29501  ADD    100  4294967295  11000         5  1\\.\\d+ +\\S+Z");
        assertThat(lines[2].indexOf('Z') - lines[1].indexOf("UPDATED")).isBetween(19, 24);

        assertThat(run(new TopologyCommand(), "orders", "--op", "add")).isZero();
        assertThat(out()).contains("1 item with op ADD").contains(" ADD ").doesNotContain(" GET ");

        assertThat(run(new RemoveItemCommand(), "orders", "--start", "100", "--end", "4294967295")).isZero();
        assertThat(out()).matches(
                "removed from orders: 127\\.0\\.0\\.1:29501 RMV 100\\.\\.4294967295 port 11000 priority 5, clock .*\n");
        assertThat(run(new TopologyCommand(), "orders", "--op", "RMV")).isZero();
        assertThat(out()).contains("1 item with op RMV", " RMV ");
        assertThat(run(new TopologyCommand(), "orders", "--op", "ADD")).isZero();
        assertThat(out()).contains("0 items with op ADD");
    }

    @Test
    void jsonPrintsTheNodesAnswerAsIs() throws Exception {
        assertThat(run(new AddItemCommand(), "g", "--start", "1", "--end", "2", "--port", "80", "--json")).isZero();
        JsonNode item = NodeClient.JSON.readTree(out());
        assertThat(item.get("op").asText()).isEqualTo("ADD");
        assertThat(item.get("clock").has("counter")).isTrue();

        assertThat(run(new GroupsCommand(), "--json")).isZero();
        assertThat(NodeClient.JSON.readTree(out()).toString())
                .isEqualTo("{\"groups\":[{\"name\":\"g\",\"member\":true,\"members\":1}]}");
        assertThat(run(new MembersCommand(), "g", "--json")).isZero();
        assertThat(NodeClient.JSON.readTree(out()).get("members").get(0).get("state").asText()).isEqualTo("alive");
        assertThat(run(new TopologyCommand(), "g", "--json")).isZero();
        assertThat(NodeClient.JSON.readTree(out()).get("items")).hasSize(1);
    }

    @Test
    void joinPassesSeedsAndGroupNamesAreEncoded() {
        assertThat(run(new JoinCommand(), "a b/c+d", "--seed", "10.0.0.7:29100", "--seed", "[::1]:29101")).isZero();
        assertThat(out()).isEqualTo("joined a b/c+d (1 member known)\n");
        assertThat(node.streams.sent).extracting(Map.Entry::getKey)
                .contains(NetId.parse("10.0.0.7:29100"), NetId.parse("[::1]:29101"));
        assertThat(node.manager.myGroups()).containsExactly("a b/c+d");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "add-item g --start 9 --end 5 --port 1      | --start: 9 is after --end 5",
        "add-item g --start -1 --end 5 --port 1     | --start: -1 is not in 0..4294967295",
        "add-item g --start 0 --end 4294967296 --port 1 | --end: 4294967296 is not in",
        "add-item g --start 0 --end 5 --port 70000  | --port: 70000 is not in 0..65535",
        "add-item g --start 0 --end 5 --port 1 --priority -2 | --priority: -2 is negative",
        "add-item g --start x --end 5 --port 1      | --start",
        "add-item g --start 0 --end 5               | --port",
        "remove-item g --start 0                    | --end",
        "join g --seed nope                         | --seed: netId: 'nope'",
        "topology g --op PUT                        | 'PUT' is not ADD, RMV or GET",
        "members                                    | GROUP",
        "groups --node ftp://127.0.0.1:1            | --node: 'ftp://127.0.0.1:1' is not http://HOST:PORT",
        "groups --node http://127.0.0.1:1/v1        | --node",
    })
    void badArgumentsExitWith2(String args, String message) {
        CommandLine top = ClientCommands.register(new CommandLine(new Top()));
        out = new StringWriter();
        err = new StringWriter();
        top.setOut(new PrintWriter(out, true));
        top.setErr(new PrintWriter(err, true));
        assertThat(top.execute(args.trim().split("\\s+"))).isEqualTo(2);
        assertThat(err.toString()).contains(message);
        assertThat(node.manager.groups()).as("nothing reached the node").isEmpty();
    }

    @Test
    void anUnreachableNodeExitsWith1AndOneClearLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        for (ClientCommand c : List.of(new GroupsCommand(), new MembersCommand(), new JoinCommand())) {
            String[] args = c instanceof GroupsCommand ? new String[] {"--node", url} : new String[] {"g", "--node", url};
            assertThat(runRaw(c, args)).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("scalesmall: cannot reach node at " + url + ": connection refused\n");
            assertThat(out()).isEmpty();
        }
    }

    @Test
    void anHttpErrorExitsWith1WithTheNodesMessage() {
        assertThat(run(new MembersCommand(), "bad\u0001name")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("scalesmall: node at " + node.baseUrl()
                + " refused GET /v1/groups/bad%01name/members: HTTP 400: group: name contains control character U+0001\n");
        assertThat(out()).isEmpty();
    }

    @Test
    void helpDocumentsTheDefaultNode() {
        assertThat(runRaw(new MembersCommand(), "--help")).isZero();
        assertThat(out()).contains("--node=URL", "default http://127.0.0.1:29980", "--json", "Exit code");
    }

    @Test
    void registerAddsEverySubcommand() {
        CommandLine top = ClientCommands.register(new CommandLine(new Top()));
        assertThat(top.getSubcommands().keySet())
                .containsExactly("groups", "members", "topology", "join", "leave", "add-item", "remove-item");
        out = new StringWriter();
        top.setOut(new PrintWriter(out, true));
        assertThat(top.execute("groups", "--node", node.baseUrl())).isZero();
        assertThat(out()).isEqualTo("no groups known\n");
    }

    @Command(name = "top")
    static final class Top implements Runnable {
        @Override
        public void run() {
        }
    }
}
