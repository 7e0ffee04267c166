package io.pocketproxy.server.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Makes sure one server at a time owns a data directory. Two servers on one embedded PostgreSQL
 * directory would corrupt it; the second one must stop with a message, before touching anything.
 *
 * <p>The operating system releases the lock when the process dies, so a crash never leaves the directory
 * locked.
 */
public final class DataDirLock implements AutoCloseable {

    public static final String FILE_NAME = "pocketproxy.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code dataDir}, or throws {@link DataDirInUseException} naming the holder. */
    public static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            createPrivately(dataDir);
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another server in this very process
            }
            if (lock == null) {
                String holder = holderOf(channel);
                channel.close();
                throw new DataDirInUseException(dataDir, holder);
            }
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock data directory " + dataDir, e);
        }
    }

    /**
     * A new data directory is its user's alone (0700): it holds the database, keys and logs, and other local users
     * have no business even listing it. One that exists is left as its owner set it up.
     */
    private static void createPrivately(Path dataDir) throws IOException {
        if (Files.isDirectory(dataDir)) {
            return;
        }
        Path parent = dataDir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createDirectory(
                    dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dataDir)) {
                throw e;
            }
        }
    }

    private static String holderOf(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        return pid.isEmpty() ? "another process" : "process " + pid;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** The data directory belongs to a server that is still running. */
    public static final class DataDirInUseException extends IllegalStateException {
        DataDirInUseException(Path dataDir, String holder) {
            super("data directory " + dataDir + " is in use by another PocketProxy server (" + holder
                    + "); stop that server first, or choose another --data-dir");
        }
    }
}
