package dev.statedoses;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Map;

/** The command line's entry point for tests in other packages: runs `refresh`, returns its exit code. */
public final class CommandLine {

    private CommandLine() {
    }

    public static int refresh(Map<String, String> env) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        return Main.run(new String[] {"refresh"}, env, quiet, quiet);
    }
}
