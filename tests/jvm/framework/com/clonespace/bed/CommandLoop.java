package com.clonespace.bed;

import android.content.Context;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;

/**
 * The main thread's loop once the app has started (it stands for Looper.loop()): reads
 * commands from stdin. {@code call NAME[ ARG]} prints {@code bed: result NAME <value>};
 * {@code exit} or end of input ends the process with status 0.
 */
public final class CommandLoop {
    private CommandLoop() {}

    public static void run(Context app) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String command = line.trim();
            if (command.equals("exit")) {
                break;
            }
            if (command.startsWith("call ")) {
                call(app, command.substring("call ".length()).trim());
            } else if (!command.isEmpty()) {
                Console.line("bed: unknown command " + command);
            }
        }
        System.exit(0);
    }

    private static void call(Context app, String request) {
        int space = request.indexOf(' ');
        String name = space < 0 ? request : request.substring(0, space);
        String arg = space < 0 ? null : request.substring(space + 1).trim();
        String value;
        try {
            value = String.valueOf(Calls.call(app, name, arg));
        } catch (Throwable t) {
            Throwable cause = t instanceof InvocationTargetException && t.getCause() != null ? t.getCause() : t;
            value = "error:" + cause.getClass().getName() + ": " + cause.getMessage();
        }
        Console.line("bed: result " + name + " " + value);
    }
}
