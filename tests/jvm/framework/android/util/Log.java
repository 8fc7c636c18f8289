package android.util;

import com.clonespace.bed.Console;

/** Logcat, printed to stdout as {@code <level>/<tag>: <msg>}; a Throwable's trace goes to stderr. */
public final class Log {
    private Log() {}

    public static int v(String tag, String msg) {
        return println("V", tag, msg, null);
    }

    public static int d(String tag, String msg) {
        return println("D", tag, msg, null);
    }

    public static int i(String tag, String msg) {
        return println("I", tag, msg, null);
    }

    public static int w(String tag, String msg) {
        return println("W", tag, msg, null);
    }

    public static int w(String tag, String msg, Throwable tr) {
        return println("W", tag, msg, tr);
    }

    public static int e(String tag, String msg) {
        return println("E", tag, msg, null);
    }

    public static int e(String tag, String msg, Throwable tr) {
        return println("E", tag, msg, tr);
    }

    private static int println(String level, String tag, String msg, Throwable tr) {
        String line = level + "/" + tag + ": " + msg;
        Console.line(line);
        if (tr != null) {
            tr.printStackTrace();
        }
        return line.length();
    }
}
