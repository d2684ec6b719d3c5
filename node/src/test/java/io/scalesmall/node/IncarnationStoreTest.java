package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncarnationStoreTest {
    @Test
    void neverRepeatsEvenWhenWallTimeGoesBack(@TempDir Path dir) throws IOException {
        long a = IncarnationStore.next(dir, 5_000);
        long b = IncarnationStore.next(dir, 5_000);
        long c = IncarnationStore.next(dir, 1_000);
        assertThat(a).isEqualTo(5_000);
        assertThat(b).isEqualTo(5_001);
        assertThat(c).isEqualTo(5_002);
        assertThat(IncarnationStore.next(dir, 9_000)).isEqualTo(9_000);
    }

    @Test
    void aCorruptFileIsAClearError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(IncarnationStore.FILE), "garbage");
        assertThatThrownBy(() -> IncarnationStore.next(dir, 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("incarnation").hasMessageContaining("garbage");
    }
}
