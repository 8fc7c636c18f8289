package android.app;

import android.content.Context;
import android.content.Intent;
import android.util.AndroidException;
import com.clonespace.bed.Activities;
import com.clonespace.bed.Broadcasts;

/**
 * A token for an intent the system sends later on the app's behalf (API 1–35). On a phone the
 * intent goes to ActivityManagerService at creation and is resolved when sent; here send()
 * resolves it the same way as the bed's startActivity and sendBroadcast.
 */
public final class PendingIntent {
    public static final int FLAG_IMMUTABLE = 0x04000000; // API 23–35

    private final Intent mIntent;
    private final boolean mBroadcast;
    private final String mCreator;

    /** API 1–35: thrown when a cancelled PendingIntent is sent. */
    public static class CanceledException extends AndroidException {
        public CanceledException() {}

        public CanceledException(String name) {
            super(name);
        }
    }

    private PendingIntent(Context context, Intent intent, boolean broadcast) {
        mIntent = new Intent(intent);
        mBroadcast = broadcast;
        mCreator = context.getPackageName();
    }

    // API 1–35.
    public static PendingIntent getActivity(Context context, int requestCode, Intent intent, int flags) {
        return new PendingIntent(context, intent, false);
    }

    // API 1–35.
    public static PendingIntent getBroadcast(Context context, int requestCode, Intent intent, int flags) {
        return new PendingIntent(context, intent, true);
    }

    // API 1–35.
    public void send() throws CanceledException {
        if (mBroadcast) {
            Broadcasts.send(mIntent, null);
        } else {
            Activities.start(mIntent);
        }
    }

    // API 17–35.
    public String getCreatorPackage() {
        return mCreator;
    }
}
