package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetIdTest {

    @Test
    void ipv4ParsesAndFormatsBack() {
        NetId id = NetId.parse("192.168.1.100:29999");
        assertThat(id.isIpv6()).isFalse();
        assertThat(id.port()).isEqualTo(29999);
        assertThat(id.addressBytes()).containsExactly(192 - 256, 168 - 256, 1, 100);
        assertThat(id.addressLength()).isEqualTo(4);
        assertThat(id.addressByte(0)).isEqualTo(192);
        assertThat(id).hasToString("192.168.1.100:29999");
        assertThat(NetId.parse(id.toString())).isEqualTo(id).hasSameHashCodeAs(id);
    }

    @Test
    void ipv6ParsesAndFormatsBack() {
        NetId id = NetId.parse("[2001:db8::1]:443");
        assertThat(id.isIpv6()).isTrue();
        assertThat(id.port()).isEqualTo(443);
        byte[] b = id.addressBytes();
        assertThat(b).hasSize(16);
        assertThat(b[0]).isEqualTo((byte) 0x20);
        assertThat(b[1]).isEqualTo((byte) 0x01);
        assertThat(b[15]).isEqualTo((byte) 1);
        // The JDK's long form, not RFC 5952's "2001:db8::1"; it parses back to the same id.
        assertThat(id).hasToString("[2001:db8:0:0:0:0:0:1]:443");
        assertThat(NetId.parse(id.toString())).isEqualTo(id);
        assertThat(NetId.parse("[::1]:1")).isEqualTo(NetId.parse("[0:0:0:0:0:0:0:1]:1"));
    }

    @Test
    void randomIdsRoundTripThroughTextAndBytes() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            byte[] a = new byte[r.nextBoolean() ? 4 : 16];
            for (int k = 0; k < a.length; k++) {
                a[k] = (byte) r.nextInt(256);
            }
            if (a.length == 16) {
                a[0] = (byte) 0x20; // never v4-mapped
            }
            NetId id = NetId.of(a, 1 + r.nextInt(65_535));
            assertThat(NetId.parse(id.toString())).isEqualTo(id);
            assertThat(NetId.of(id.addressBytes(), id.port())).isEqualTo(id);
            assertThat(NetId.of(id.address(), id.port())).isEqualTo(id);
        }
    }

    @Test
    void v4MappedIpv6NormalisesToIpv4() {
        NetId mapped = NetId.parse("[::ffff:10.1.2.3]:80");
        NetId plain = NetId.parse("10.1.2.3:80");
        assertThat(mapped).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(mapped.isIpv6()).isFalse();
        assertThat(mapped).hasToString("10.1.2.3:80");
        byte[] raw = new byte[16];
        raw[10] = (byte) 0xFF;
        raw[11] = (byte) 0xFF;
        raw[12] = 10;
        raw[13] = 1;
        raw[14] = 2;
        raw[15] = 3;
        assertThat(NetId.of(raw, 80)).isEqualTo(plain);
        assertThat(NetId.of(raw, 80).compareTo(plain)).isZero();
    }

    @Test
    void addressBytesAreCopied() {
        byte[] a = {10, 0, 0, 1};
        NetId id = NetId.of(a, 1);
        a[3] = 9;
        id.addressBytes()[3] = 9;
        assertThat(id).hasToString("10.0.0.1:1");
    }

    @Test
    void orderIsIpv4BeforeIpv6ThenUnsignedBytesThenPort() {
        List<NetId> expected = List.of(
                NetId.parse("1.2.3.4:9"),
                NetId.parse("10.0.0.3:65535"),
                NetId.parse("10.0.0.200:1"),
                NetId.parse("10.0.0.200:2"),
                NetId.parse("128.0.0.0:1"),
                NetId.parse("255.255.255.255:1"),
                NetId.parse("[::1]:1"),
                NetId.parse("[::1]:2"),
                NetId.parse("[fe80::1]:1"),
                NetId.parse("[ffff::1]:1"));
        assertThat(NetId.parse("10.0.0.200:1")).isGreaterThan(NetId.parse("10.0.0.3:1"));
        assertThat(NetId.parse("255.0.0.0:1")).isGreaterThan(NetId.parse("1.0.0.0:1"));
        assertThat(NetId.parse("0.0.0.0:1")).isLessThan(NetId.parse("[::]:1"));
        List<NetId> shuffled = new ArrayList<>(expected);
        Gen.shuffle(new SplittableRandom(3), shuffled);
        shuffled.sort(null);
        assertThat(shuffled).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "10.0.0.256:80        | octet '256'",
        "10.0.0:80            | not a dotted IPv4",
        "10.0.0.1.5:80        | not a dotted IPv4",
        "10.0..1:80           | octet ''",
        "10.0.0.1             | is not ipv4:port",
        "10.0.0.1:            | port ''",
        "10.0.0.1:0           | port: 0",
        "10.0.0.1:65536       | port: 65536",
        "10.0.0.1:-1          | port '-1'",
        "10.0.0.1:http        | port 'http'",
        "localhost:80         | 'localhost' is not a dotted IPv4",
        "example.com:80       | 'example.com'",
        "[::1]                | is not [ipv6]:port",
        "[::1]:0              | port: 0",
        "[::g]:80             | '::g' is not a numeric IPv6",
        "[1:2:3:4:5:6:7:8:9]:80 | not a numeric IPv6",
        "::1:80               | is not ipv4:port or [ipv6]:port",
        ":80                  | empty address",
    })
    void invalidTextIsRejectedNamingTheValue(String text, String message) {
        assertThatThrownBy(() -> NetId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void invalidPartsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> NetId.parse(null)).isInstanceOf(IllegalArgumentException.class).hasMessage("netId: null");
        assertThatThrownBy(() -> NetId.of((byte[]) null, 1)).hasMessage("address: null");
        assertThatThrownBy(() -> NetId.of((InetAddress) null, 1)).hasMessage("address: null");
        assertThatThrownBy(() -> NetId.of(new byte[5], 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("address: 5 bytes");
        assertThatThrownBy(() -> NetId.of(new byte[4], 0)).hasMessage("port: 0 is not in 1..65535");
        assertThatThrownBy(() -> NetId.of(new byte[4], 65_536)).hasMessage("port: 65536 is not in 1..65535");
        assertThat(NetId.of(new byte[4], 65_535).port()).isEqualTo(NetId.MAX_PORT);
    }

    @Test
    void signedNumbersAreRejected() {
        assertThatThrownBy(() -> NetId.parse("+10.0.0.1:80")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetId.parse("-0.0.0.1:80")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetId.parse("10.0.0.1:+80")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void broadcastIdOrdersByOriginThenSeqno() {
        NetId a = NetId.parse("10.0.0.1:1");
        NetId b = NetId.parse("10.0.0.2:1");
        BroadcastId a5 = new BroadcastId(a, 5);
        assertThat(a5.next()).isEqualTo(new BroadcastId(a, 6));
        assertThat(a5).isLessThan(new BroadcastId(a, 6)).isLessThan(new BroadcastId(b, 0));
        assertThat(a5).hasToString("10.0.0.1:1#5");
        assertThatThrownBy(() -> new BroadcastId(a, -1)).hasMessage("seqno: -1 is negative");
        assertThatThrownBy(() -> new BroadcastId(null, 0)).hasMessage("origin: null");
        assertThatThrownBy(() -> new BroadcastId(a, Long.MAX_VALUE).next()).isInstanceOf(ArithmeticException.class);
    }
}
