package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.topology.NetId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {
    @Test
    void defaultsApplyWithNothingGiven() {
        NodeConfig c = NodeConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.port()).isEqualTo(29999);
        assertThat(c.multicast().getAddress().getHostAddress()).isEqualTo("224.1.1.1");
        assertThat(c.multicast().getPort()).isEqualTo(29999);
        assertThat(c.multicastTtl()).isEqualTo(4);
        assertThat(c.label()).isEqualTo("scalesmall");
        assertThat(c.http().getPort()).isEqualTo(29980);
        assertThat(c.bind().isAnyLocalAddress()).isFalse();
    }

    @Test
    void fileThenEnvironmentThenFlagsEachOverride(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("node.conf");
        Files.writeString(f, "# a node\nport = 30001\nlabel = from-file\ngroup = a, b\nmulticast = off\nbind = 127.0.0.2\n");
        NodeConfig fileOnly = NodeConfigLoader.load(f, Map.of(), Map.of());
        assertThat(fileOnly.port()).isEqualTo(30001);
        assertThat(fileOnly.groups()).containsExactly("a", "b");
        assertThat(fileOnly.multicast()).isNull();

        NodeConfig env = NodeConfigLoader.load(f, Map.of("SCALESMALL_LABEL", "from-env", "SCALESMALL_PORT", "30002",
                "SCALESMALL_JAVA_OPTS", "-Xmx1g", "PATH", "/bin"), Map.of());
        assertThat(env.label()).isEqualTo("from-env");
        assertThat(env.port()).isEqualTo(30002);

        NodeConfig flags = NodeConfigLoader.load(f, Map.of("SCALESMALL_PORT", "30002"),
                Map.of("port", "30003", "seeds", "10.0.0.1:29999,[::1]:29999"));
        assertThat(flags.port()).isEqualTo(30003);
        assertThat(flags.seeds()).containsExactly(NetId.parse("10.0.0.1:29999"), NetId.parse("[::1]:29999"));
        assertThat(flags.id()).isEqualTo(NetId.parse("127.0.0.2:30003"));
    }

    @Test
    void badValuesFailWithOneLineNamingTheKey(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.conf");
        Files.writeString(f, "port = 1\ncolour = blue\n");
        assertThatThrownBy(() -> NodeConfigLoader.load(f, Map.of(), Map.of()))
                .hasMessageContaining("line 2").hasMessageContaining("unknown key 'colour'");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of("SCALESMALL_COLOUR", "x"), Map.of()))
                .hasMessageContaining("SCALESMALL_COLOUR");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("port", "70000")))
                .hasMessageContaining("port").hasMessageContaining("70000");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("port", "x1")))
                .hasMessageContaining("port: 'x1' is not a number");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("bind", "example.com")))
                .hasMessageContaining("bind").hasMessageContaining("not a numeric IP address");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("bind", "0.0.0.0")))
                .hasMessageContaining("wildcard");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("multicast", "10.0.0.1:29999")))
                .hasMessageContaining("not a multicast address");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("multicast-ttl", "300")))
                .hasMessageContaining("multicast-ttl: 300");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("seeds", "host:1")))
                .hasMessageContaining("seeds");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of("group", "bad\u0001name")))
                .hasMessageContaining("group");
        assertThatThrownBy(() -> NodeConfigLoader.load(dir.resolve("missing.conf"), Map.of(), Map.of()))
                .hasMessageContaining("cannot read");
    }
}
