package android.os;

/**
 * A message handler. The bed has no Looper: everything runs on the main thread, so a posted
 * runnable runs at once on the caller's thread.
 */
public class Handler {
    public Handler() {}

    public final boolean post(Runnable r) {
        r.run();
        return true;
    }
}
