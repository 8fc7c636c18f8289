package com.clonespace.bed;

import android.content.IContentProvider;
import android.content.pm.ProviderInfo;

/**
 * The providers of other packages on the device (what ActivityManagerService hands out for
 * authorities the app does not own): only Google Services Framework's gservices provider.
 * On a phone it runs in GSF's process; here it runs in-process, without a context.
 */
public final class SystemProviders {
    private static GservicesProvider sGservices;

    private SystemProviders() {}

    /** The provider declaring {@code authority}, or null. */
    public static ProviderInfo resolve(String authority) {
        if (!GservicesProvider.AUTHORITY.equals(authority)) {
            return null;
        }
        ProviderInfo info = new ProviderInfo();
        info.name = "com.google.android.gsf.gservices.GservicesProvider";
        info.packageName = "com.google.android.gsf";
        info.authority = GservicesProvider.AUTHORITY;
        return info;
    }

    /** The running provider for {@code authority}, started on first use, or null. */
    public static synchronized IContentProvider acquire(String authority) {
        ProviderInfo info = resolve(authority);
        if (info == null) {
            return null;
        }
        if (sGservices == null) {
            sGservices = new GservicesProvider();
            sGservices.attachInfo(null, info);
        }
        return sGservices.getIContentProvider();
    }
}
