package com.clonespace.bed;

/** Line output on stdout, flushed at once so a driver reading the pipe sees it in order. */
public final class Console {
    private Console() {}

    public static synchronized void line(String text) {
        System.out.println(text);
        System.out.flush();
    }

    /** {@code bed: step <name>}: the start-order marker the tests look for. */
    public static void step(String name) {
        line("bed: step " + name);
    }
}
