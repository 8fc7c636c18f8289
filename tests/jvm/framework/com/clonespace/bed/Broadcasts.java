package com.clonespace.bed;

import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Broadcast delivery (ActivityManagerService's part): receivers registered at run time get
 * the intents whose action their filter has, synchronously on the sender's thread, when the
 * permissions on both sides hold. The bed runs one app, so both sides are that app: an
 * intent limited to another package (setPackage, or a component) reaches no receiver.
 */
public final class Broadcasts {
    private static final List<Registration> sRegistrations = new ArrayList<>();

    private static final class Registration {
        final BroadcastReceiver receiver;
        final IntentFilter filter;
        final String broadcastPermission;
        final Context context;

        Registration(BroadcastReceiver receiver, IntentFilter filter, String broadcastPermission, Context context) {
            this.receiver = receiver;
            this.filter = filter;
            this.broadcastPermission = broadcastPermission;
            this.context = context;
        }
    }

    private Broadcasts() {}

    public static synchronized void register(Context context, BroadcastReceiver receiver, IntentFilter filter, String broadcastPermission) {
        sRegistrations.add(new Registration(receiver, filter, broadcastPermission, context));
    }

    public static synchronized void unregister(BroadcastReceiver receiver) {
        if (!sRegistrations.removeIf(r -> r.receiver == receiver)) {
            throw new IllegalArgumentException("Receiver not registered: " + receiver);
        }
    }

    /** Delivers {@code intent}; {@code receiverPermission} (may be null) is what receivers must hold. */
    public static void send(Intent intent, String receiverPermission) {
        List<Registration> targets = new ArrayList<>();
        synchronized (Broadcasts.class) {
            for (Registration r : sRegistrations) {
                if (forThisApp(intent)
                        && r.filter.matchAction(intent.getAction())
                        && holds(receiverPermission)
                        && holds(r.broadcastPermission)) {
                    targets.add(r);
                }
            }
        }
        for (Registration r : targets) {
            r.receiver.onReceive(r.context, intent);
        }
    }

    /** Whether the intent may reach the installed app (no package, or its package). */
    static boolean forThisApp(Intent intent) {
        String own = InstalledPackage.get().packageName();
        String target = intent.getComponent() != null ? intent.getComponent().getPackageName() : intent.getPackage();
        return target == null || target.equals(own);
    }

    /** The system's own check (not the app's hookable ContextImpl methods). */
    private static boolean holds(String permission) {
        return permission == null || InstalledPackage.get().isGranted(permission);
    }
}
