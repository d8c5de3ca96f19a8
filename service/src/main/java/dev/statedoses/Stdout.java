package dev.statedoses;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The process's stdout, which remembers why a write failed. A PrintStream swallows its stream's
 * errors: `refresh --json > report.json` on a full disk, or `version > /dev/full`, exited 0 with
 * nothing written, and a script that trusts the exit code trusted an empty file. The command line
 * asks {@link #exitCode} before it exits.
 */
final class Stdout extends OutputStream {

    private final OutputStream out = new FileOutputStream(FileDescriptor.out);
    private volatile IOException failure;

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        try {
            out.write(bytes, offset, length);
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
            throw e;
        }
    }

    /**
     * The exit code for a command that returned {@code code}, once everything went to stdout: 1,
     * said on {@code err}, when a write failed, unless the reader closed the pipe (`| head -1`):
     * a reader that has read enough is no failure, and tools stay quiet then.
     */
    int exitCode(int code, PrintStream err) {
        IOException failed = failure;
        if (failed == null || String.valueOf(failed.getMessage()).contains("Broken pipe")) {
            return code;
        }
        err.println("error: stdout could not be written (" + failed.getMessage() + "): what the command did is "
            + "done, but what it printed is lost");
        return code == Main.OK ? Main.FAILED : code;
    }
}
