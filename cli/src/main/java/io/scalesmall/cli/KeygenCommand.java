package io.scalesmall.cli;

import io.scalesmall.wire.Keyring;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code scalesmall keygen}: writes a new cluster key in the key-file format {@link Keyring#parse} reads. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {
            "Generates a random AES key for the cluster's keyring, as one hex line.",
            "A key file lists keys one per line: the first seals what a node sends, all are accepted.",
            "To rotate: add the new key as a second line on every node, then move it first, then drop the old one."})
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bits", defaultValue = "256", description = "Key size: 128, 192 or 256 (default ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = {"-o", "--out"}, description = "Write to this file (created with mode 600; never overwritten) instead of stdout.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (bits != 128 && bits != 192 && bits != 256) {
            spec.commandLine().getErr().println("keygen: --bits " + bits + " is not 128, 192 or 256");
            return 2;
        }
        byte[] key = new byte[bits / 8];
        new SecureRandom().nextBytes(key);
        Keyring ring = Keyring.of(key);
        String text = "# scalesmall cluster key, AES-" + bits + ", key id " + String.format("%08x", ring.primary().id()) + "\n"
                + HexFormat.of().formatHex(key) + "\n";
        if (out == null) {
            PrintWriter w = spec.commandLine().getOut();
            w.print(text);
            w.flush();
            return 0;
        }
        try {
            Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            spec.commandLine().getErr().println("keygen: " + out + " already exists; not overwriting a key");
            return 1;
        } catch (UnsupportedOperationException e) {
            Files.createFile(out);
        }
        Files.writeString(out, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        spec.commandLine().getErr().println("keygen: wrote key " + String.format("%08x", ring.primary().id()) + " to " + out);
        return 0;
    }
}
