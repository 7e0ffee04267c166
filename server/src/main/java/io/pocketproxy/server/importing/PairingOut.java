package io.pocketproxy.server.importing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * {@code --pairing-out FILE}: one line per device created, its name, a tab and its pairing string, which is as
 * good as the device's password. The file is the operator's alone (0600). Lines are written once the devices'
 * transaction has committed ({@link UncommittedRows}), so every line in the file pairs with a device that exists.
 */
public final class PairingOut implements AutoCloseable {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final FileChannel channel;

    private PairingOut(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens {@code file} for appending, creating it 0600; an existing file must already be 0600, and is added to. */
    public static PairingOut open(Path file) {
        try {
            if (Files.exists(file)) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                if (!permissions.equals(OWNER_ONLY)) {
                    throw new IllegalArgumentException("--pairing-out: " + file + " is "
                            + PosixFilePermissions.toString(permissions)
                            + " (expected: rw------- as this command creates it; pairing strings are secrets)");
                }
            } else {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            }
            return new PairingOut(file, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new UncheckedIOException("--pairing-out: cannot write " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    /** Appends {@code lines} and makes sure they are on disk before the import goes on. */
    void write(List<Line> lines) {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line.deviceName().replace('\t', ' '))
                .append('\t')
                .append(line.pairing())
                .append('\n'));
        try {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("--pairing-out: cannot write " + file, e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    record Line(String deviceName, String pairing) {}
}
