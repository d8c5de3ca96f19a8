package dev.statedoses.warehouse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The local ports of this process's TCP sockets, as Linux shows them: the inodes of the sockets
 * among its file descriptors ({@code /proc/self/fd}), looked up in the kernel's tables of TCP
 * sockets ({@code /proc/self/net/tcp}, {@code tcp6}). The embedded warehouse tells its own
 * sessions from other processes' by them (pg_stat_activity gives each session's client port). An
 * empty set where there is no /proc: every session then counts as another process's.
 */
final class OwnSockets {

    private static final String SOCKET = "socket:[";

    private OwnSockets() {
    }

    static Set<Integer> localPorts() {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(SOCKET) && target.endsWith("]")) {
                        inodes.add(target.substring(SOCKET.length(), target.length() - 1));
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile, or not a link: not a socket of ours
                }
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Set.of();
        }
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException | SecurityException e) {
                continue;
            }
            // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...":
            // the local address is hex IP:port, the inode the tenth field.
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && inodes.contains(fields[9])) {
                    String local = fields[1];
                    try {
                        ports.add(Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16));
                    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                        // a line this reader does not know: skipped
                    }
                }
            }
        }
        return ports;
    }
}
