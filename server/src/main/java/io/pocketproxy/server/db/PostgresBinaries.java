package io.pocketproxy.server.db;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the embedded PostgreSQL's programs are unpacked, and the check that they are still ours. zonky's default is
 * {@code embedded-pg/} under {@code java.io.tmpdir}, which any local user can write, and it reuses whatever it finds
 * there: a replaced {@code bin/initdb} would run as the server's user. So the programs go into a directory of the
 * data directory that only the server's user may enter (0700), and one that is reused is verified first: the
 * directory must be that user's and closed to everyone else, and everything in it must belong to that user, with
 * every link pointing inside it.
 *
 * <p>zonky unpacks into {@link #workingDirectory()} and makes that writable by everyone (it expects a shared
 * temporary directory); inside our closed directory nobody else can reach it.
 *
 * <p>As a {@link PgBinaryResolver} it reads zonky's bundled archive; zonky caches unpacked programs per resolver, and
 * this one is equal to another exactly when they unpack into the same directory.
 */
record PostgresBinaries(Path directory) implements PgBinaryResolver {

    static final String DIRECTORY = "postgres-binaries";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    /** The programs' directory in {@code dataDir}: created for this user alone, or verified when it exists. */
    static PostgresBinaries in(Path dataDir) {
        Path directory = dataDir.resolve(DIRECTORY).toAbsolutePath().normalize();
        try {
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            verify(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory + " for PostgreSQL's programs", e);
        }
        return new PostgresBinaries(directory);
    }

    /** What zonky is given to unpack into: inside {@link #directory()}, which is what keeps others out. */
    File workingDirectory() {
        return directory.resolve("unpacked").toFile();
    }

    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
        return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, machineHardware);
    }

    private static void verify(Path directory) {
        try {
            int uid = ownerOf(directory);
            if (uid != currentUid()) {
                throw refused(directory, "it belongs to user " + uid + ", not to this server's user " + currentUid());
            }
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw refused(directory, "it is not a directory");
            }
            // Closed to others, nothing inside can have been changed by them, whatever the modes inside say.
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(directory, LinkOption.NOFOLLOW_LINKS);
            if (permissions.stream().anyMatch(OTHERS::contains)) {
                throw refused(
                        directory,
                        "it is open to other users, so it may have been writable by other users (mode "
                                + PosixFilePermissions.toString(permissions) + ", expected rwx------)");
            }
            try (Stream<Path> entries = Files.walk(directory)) {
                for (Path entry : (Iterable<Path>) entries::iterator) {
                    if (ownerOf(entry) != uid) {
                        throw refused(directory, entry + " belongs to user " + ownerOf(entry));
                    }
                    if (Files.isSymbolicLink(entry)
                            && !entry.getParent()
                                    .resolve(Files.readSymbolicLink(entry))
                                    .normalize()
                                    .startsWith(directory)) {
                        throw refused(directory, entry + " links outside it");
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot verify PostgreSQL's programs in " + directory, e);
        }
    }

    private static IllegalStateException refused(Path directory, String why) {
        return new IllegalStateException("will not run PostgreSQL's programs from " + directory + ": " + why
                + " (expected: a directory only this server's user could ever have written;"
                + " remove it and the server unpacks them afresh)");
    }

    private static int ownerOf(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    private static long currentUid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }
}
