package android.os;

/** Cancels a query in progress; the bed's queries complete at once, so it is only a flag. */
public final class CancellationSignal {
    private volatile boolean mIsCanceled;

    public CancellationSignal() {}

    public boolean isCanceled() {
        return mIsCanceled;
    }

    public void cancel() {
        mIsCanceled = true;
    }
}
