package io.scalesmall.stream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The HOST:PORT text of NOT_HEAD and PULL: parsed without DNS, printed and compared as a node prints it. */
class HostPortTest {
    @Test
    void parsesTheTextOfNotHead() {
        assertThat(HostPort.parse("10.1.2.3:29998")).isEqualTo(new InetSocketAddress("10.1.2.3", 29998));
        assertThat(HostPort.parse("10.1.2.3:29998").isUnresolved()).isFalse();
        InetSocketAddress v6 = HostPort.parse("[::1]:7");
        assertThat(v6.getHostString()).isEqualTo("::1");
        assertThat(v6.getPort()).isEqualTo(7);
        InetSocketAddress named = HostPort.parse("node-3.example:1");
        assertThat(named.isUnresolved()).as("never resolved here").isTrue();
        assertThat(HostPort.of(HostPort.parse("127.0.0.1:80"))).isEqualTo("127.0.0.1:80");
        assertThat(HostPort.same(HostPort.parse("127.0.0.1:80"), new InetSocketAddress("127.0.0.1", 80)))
                .isTrue();
        for (String bad : List.of("", ":", "h", "h:", ":1", "h:0", "h:65536", "h:-1", "h:+1", "h: 1", "::1:80",
                "[]:80", "[::1:80", "a b:1", "h/x:1", "h:123456", "h:1x")) {
            assertThatThrownBy(() -> HostPort.parse(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(HostPort.parse("256.1.1.1:1").isUnresolved()).as("not an IPv4 address: a name").isTrue();
    }

    /** Random and mutated texts: a clear IllegalArgumentException or an address with a port in range, nothing else. */
    @Test
    void fuzzedNotHeadTextsFailCleanly() {
        long seed = new Random().nextLong();
        System.out.println("HostPortTest fuzz seed " + seed);
        Random rnd = new Random(seed);
        String alphabet = "0123456789abcdef.:[]%/ -x\u00e9";
        List<String> valid = List.of("127.0.0.1:29998", "[::1]:29998", "host:1", "10.0.0.255:65535");
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s;
            if (rnd.nextBoolean()) {
                s = new StringBuilder(valid.get(rnd.nextInt(valid.size())));
                for (int k = rnd.nextInt(4); k >= 0 && s.length() > 0; k--) {
                    int at = rnd.nextInt(s.length());
                    switch (rnd.nextInt(3)) {
                        case 0 -> s.deleteCharAt(at);
                        case 1 -> s.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                        default -> s.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
                    }
                }
            } else {
                s = new StringBuilder();
                for (int k = rnd.nextInt(24); k > 0; k--) {
                    s.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            String text = s.toString();
            try {
                InetSocketAddress a = HostPort.parse(text);
                assertThat(a.getPort()).as("seed %d, '%s'", seed, text).isBetween(1, 65535);
                assertThat(a.getHostString()).as("seed %d, '%s'", seed, text).isNotEmpty();
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).as("seed %d", seed).contains(text);
            }
        }
    }
}
