package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Placement keys: defaults, parsing, and errors naming the key and value. */
class PlacementConfigTest {
    @Test
    void defaultsAndKeys() {
        PlacementConfig d = PlacementConfig.parse(Map.of());
        assertThat(d).isEqualTo(PlacementConfig.defaults());
        assertThat(d.enabled()).isTrue();
        assertThat(d.weight()).isEqualTo(PlacementConfig.MEASURED);
        assertThat(d.replicas()).isEqualTo(3);
        assertThat(d.slices()).isEqualTo(4096);
        PlacementConfig p = PlacementConfig.parse(Map.of("weight", "4", "replicas", "2", "slices", "1024",
                "data-group", "orders", "placement", "OFF"));
        assertThat(p.weight()).isEqualTo(4);
        assertThat(p.replicas()).isEqualTo(2);
        assertThat(p.slices()).isEqualTo(1024);
        assertThat(p.dataGroup()).isEqualTo("orders");
        assertThat(p.enabled()).isFalse();
        assertThat(PlacementConfig.parse(Map.of("weight", "auto")).weight()).isEqualTo(PlacementConfig.MEASURED);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> PlacementConfig.parse(Map.of("weight", "-2"))).hasMessageStartingWith("weight: -2");
        assertThatThrownBy(() -> PlacementConfig.parse(Map.of("weight", "x"))).hasMessageStartingWith("weight: 'x'");
        assertThatThrownBy(() -> PlacementConfig.parse(Map.of("replicas", "0"))).hasMessageStartingWith("replicas: 0");
        assertThatThrownBy(() -> PlacementConfig.parse(Map.of("slices", "1000"))).hasMessageStartingWith("slices: 1000");
        assertThatThrownBy(() -> PlacementConfig.parse(Map.of("placement", "maybe")))
                .hasMessageStartingWith("placement: 'maybe'");
    }

    @Test
    void theDataGroupMustBeJoinedAndDefaultsToTheFirstGroup() {
        Map<String, String> env = Map.of();
        NodeConfig c = NodeConfigLoader.load(null, env, Map.of("bind", "127.0.0.1", "group", "a,b",
                "data-dir", Path.of("x").toString(), "weight", "2"));
        assertThat(c.dataGroup()).isEqualTo("a");
        assertThat(c.placement().weight()).isEqualTo(2);
        assertThat(NodeConfigLoader.load(null, env, Map.of("bind", "127.0.0.1", "group", "a,b", "data-group", "b"))
                .dataGroup()).isEqualTo("b");
        assertThatThrownBy(() -> NodeConfigLoader.load(null, env, Map.of("bind", "127.0.0.1", "group", "a",
                "data-group", "c"))).hasMessageStartingWith("data-group: c is not one of the groups");
        assertThat(NodeConfigLoader.load(null, env, Map.of("bind", "127.0.0.1")).dataGroup()).isNull();
    }
}
