package com.clonespace.bed;

import android.content.ActivityNotFoundException;
import android.content.Intent;
import android.net.Uri;

/**
 * Activity starts (ActivityTaskManagerService's resolution): an intent naming a package, by
 * component or by {@code setPackage}, starts only when that package is installed, i.e. is the
 * bed's one app; Settings' app details screen (a {@code package:} URI) opens only for an
 * installed package (on a phone it shows "App not found" and closes; here that is an
 * ActivityNotFoundException). Nothing is actually started: the last start is remembered.
 */
public final class Activities {
    public static final String ACTION_APPLICATION_DETAILS_SETTINGS = "android.settings.APPLICATION_DETAILS_SETTINGS";
    private static volatile String sLast;

    private Activities() {}

    public static void start(Intent intent) {
        String own = InstalledPackage.get().packageName();
        if (!Broadcasts.forThisApp(intent)) {
            throw new ActivityNotFoundException("No Activity found to handle " + describe(intent));
        }
        if (ACTION_APPLICATION_DETAILS_SETTINGS.equals(intent.getAction())) {
            Uri data = intent.getData();
            if (data == null || !"package".equals(data.getScheme()) || !own.equals(data.getSchemeSpecificPart())) {
                throw new ActivityNotFoundException("App not found: " + data);
            }
        }
        sLast = describe(intent);
    }

    /** The last intent started, described; null before any. */
    public static String last() {
        return sLast;
    }

    private static String describe(Intent intent) {
        if (intent.getComponent() != null) {
            return intent.getComponent().flattenToString();
        }
        return intent.getAction() + (intent.getPackage() != null ? " in " + intent.getPackage() : "")
                + (intent.getData() != null ? " " + intent.getData() : "");
    }
}
