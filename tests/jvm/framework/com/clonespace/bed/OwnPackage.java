package com.clonespace.bed;

import android.app.PendingIntent;
import android.content.BroadcastReceiver;
import android.content.ComponentName;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.content.pm.PackageManager;
import android.net.Uri;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls an app makes with a package name it holds (its original one, from BuildConfig or a
 * literal, or the name getPackageName() gives): the system resolves the name, so a clone's
 * app reaches itself only if the name is mapped. Each answers what the app got.
 */
final class OwnPackage {
    static final String PING = "com.clonespace.bed.action.PING";

    private OwnPackage() {}

    /** A broadcast limited to {@code pkg} (setPackage; through a PendingIntent when asked),
     * to a receiver of this app: "received" or "not received". */
    static String broadcastTo(Context ctx, String pkg, boolean pending) throws Exception {
        AtomicInteger got = new AtomicInteger();
        BroadcastReceiver receiver = new BroadcastReceiver() {
            @Override
            public void onReceive(Context context, Intent intent) {
                got.incrementAndGet();
            }
        };
        ctx.registerReceiver(receiver, new IntentFilter(PING));
        try {
            Intent intent = new Intent(PING).setPackage(pkg);
            if (pending) {
                PendingIntent.getBroadcast(ctx, 0, intent, PendingIntent.FLAG_IMMUTABLE).send();
            } else {
                ctx.sendBroadcast(intent);
            }
        } finally {
            ctx.unregisterReceiver(receiver);
        }
        return got.get() > 0 ? "received" : "not received";
    }

    /** startActivity with an intent naming {@code pkg} the way {@code how} says: "started …"
     * or the error. */
    static String start(Context ctx, String how, String pkg) throws Exception {
        String activity = InstalledPackage.get().launcherActivity;
        switch (how) {
            case "component":
                ctx.startActivity(new Intent().setComponent(new ComponentName(pkg, activity)));
                break;
            case "class_name":
                ctx.startActivity(new Intent().setClassName(pkg, activity));
                break;
            case "package":
                ctx.startActivity(new Intent(Intent.ACTION_MAIN).setPackage(pkg));
                break;
            case "details_settings":
                ctx.startActivity(new Intent(Activities.ACTION_APPLICATION_DETAILS_SETTINGS, Uri.parse("package:" + pkg)));
                break;
            case "details_settings_parts":
                ctx.startActivity(new Intent(Activities.ACTION_APPLICATION_DETAILS_SETTINGS)
                        .setData(Uri.fromParts("package", pkg, null)));
                break;
            case "pending_component":
                Intent intent = new Intent().setComponent(new ComponentName(pkg, activity));
                PendingIntent.getActivity(ctx, 0, intent, PendingIntent.FLAG_IMMUTABLE).send();
                break;
            default:
                throw new IllegalArgumentException("unknown start " + how);
        }
        return "started " + Activities.last();
    }

    static String applicationInfo(PackageManager pm, String pkg) {
        try {
            return pm.getApplicationInfo(pkg, 0).packageName;
        } catch (PackageManager.NameNotFoundException e) {
            return "null";
        }
    }

    static String launchIntent(PackageManager pm, String pkg) {
        Intent intent = pm.getLaunchIntentForPackage(pkg);
        return intent == null ? "null" : intent.getComponent().flattenToString();
    }

    /** "pkg1,pkg2" → PackageManager.checkSignatures's answer (0 match, -3 no match, -4 unknown). */
    static String checkSignatures(PackageManager pm, String pair) {
        String[] names = pair.split(",", 2);
        return String.valueOf(pm.checkSignatures(names[0], names[1]));
    }

    /** "pkg,hexcert,type" (type 0 raw X.509, 1 its SHA-256) → hasSigningCertificate's answer. */
    static String hasSigningCertificate(PackageManager pm, String spec) {
        String[] parts = spec.split(",", 3);
        return String.valueOf(pm.hasSigningCertificate(parts[0], hex(parts[1]), Integer.parseInt(parts[2])));
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
