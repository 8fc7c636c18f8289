package android.content;

/** Receives the intents of a registered IntentFilter. */
public abstract class BroadcastReceiver {
    public BroadcastReceiver() {}

    public abstract void onReceive(Context context, Intent intent);
}
