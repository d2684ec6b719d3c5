package io.scalesmall.cli.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoInputTest {
    @TempDir
    Path dir;

    static List<String> text(List<byte[]> messages) {
        return messages.stream().map(b -> new String(b, UTF_8)).toList();
    }

    @Test
    void oneFileIsSpreadLineByLineOverTheStreamsWithoutLineEndings() throws IOException {
        Path f = Files.writeString(dir.resolve("in.log"), "a\r\nb\n\nc\nd\ne");
        DemoInput in = DemoInput.read(f, 2, Long.MAX_VALUE, 100);
        assertThat(in.streams()).hasSize(2);
        assertThat(text(in.streams().get(0))).containsExactly("a", "", "d");
        assertThat(text(in.streams().get(1))).containsExactly("b", "c", "e");
        assertThat(in.messages()).isEqualTo(6);
        assertThat(in.bytes()).isEqualTo(5);
        assertThat(in.truncated()).isFalse();
    }

    @Test
    void aLineLongerThanTheLargestMessageIsCutIntoPieces() throws IOException {
        Path f = Files.writeString(dir.resolve("long.log"), "0123456789\nab\n");
        DemoInput in = DemoInput.read(f, 1, Long.MAX_VALUE, 4);
        assertThat(text(in.streams().get(0))).containsExactly("0123", "4567", "89", "ab");
        assertThat(in.splitLines()).isEqualTo(1);
    }

    @Test
    void readingStopsAtMaxBytes() throws IOException {
        Path f = Files.writeString(dir.resolve("big.log"), "aaaa\nbbbb\ncccc\n");
        DemoInput in = DemoInput.read(f, 1, 9, 100);
        assertThat(text(in.streams().get(0))).containsExactly("aaaa", "bbbb");
        assertThat(in.truncated()).isTrue();
    }

    @Test
    void logFilesSkipsBinaryCompressedAndEmptyFilesAndWalksSubdirectories() throws IOException {
        Files.writeString(dir.resolve("syslog"), "text\n");
        Files.createDirectories(dir.resolve("apt"));
        Files.writeString(dir.resolve("apt/history.log"), "more text\n");
        Files.write(dir.resolve("wtmp"), new byte[] {1, 0, 2, 3});
        Files.writeString(dir.resolve("old.log.gz"), "pretend gzip\n");
        Files.write(dir.resolve("empty.log"), new byte[0]);
        assertThat(DemoInput.logFiles(dir)).containsExactly(dir.resolve("apt/history.log"), dir.resolve("syslog"));
        assertThat(DemoInput.logFiles(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void anUnreadableOrEmptyInputIsAClearError() throws IOException {
        assertThatThrownBy(() -> DemoInput.read(dir.resolve("nope"), 2, 100, 100)).isInstanceOf(IOException.class)
                .hasMessageContaining("nope");
        Path empty = Files.write(dir.resolve("empty"), new byte[0]);
        assertThatThrownBy(() -> DemoInput.read(empty, 2, 100, 100)).hasMessageContaining("holds no line");
    }
}
