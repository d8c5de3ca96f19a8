package dev.statedoses;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The command line's entry point, run in process as `java -jar service.jar ...` would run it. */
public final class CommandLine {

    private CommandLine() {
    }

    /** What a command returned and printed. */
    record Run(int code, String out, String err) {
    }

    /** Runs the command line with {@code args} in {@code env}, capturing stdout and stderr. */
    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** For tests in other packages: runs `refresh`, returns its exit code. */
    public static int refresh(Map<String, String> env) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        return Main.run(new String[] {"refresh"}, env, quiet, quiet);
    }
}
