package com.google.android.gms.ads.identifier;

import android.content.Context;
import com.clonespace.bed.Device;
import com.google.android.gms.common.GooglePlayServicesNotAvailableException;
import com.google.android.gms.common.GooglePlayServicesRepairableException;
import java.io.IOException;

/**
 * Play services' advertising id client (play-services-ads-identifier, shipped in the app).
 * The real one binds to Google Play services for the id (and refuses the main thread); here
 * the id is the device's and any thread may ask.
 */
public class AdvertisingIdClient {
    private AdvertisingIdClient() {}

    public static Info getAdvertisingIdInfo(Context context)
            throws IOException, IllegalStateException, GooglePlayServicesNotAvailableException,
                    GooglePlayServicesRepairableException {
        return new Info(Device.get("advertising_id"), false);
    }

    /** The advertising id and the user's limit-ad-tracking choice. */
    public static final class Info {
        private final String mAdvertisingId;
        private final boolean mLimitAdTrackingEnabled;

        public Info(String advertisingId, boolean limitAdTrackingEnabled) {
            mAdvertisingId = advertisingId;
            mLimitAdTrackingEnabled = limitAdTrackingEnabled;
        }

        // Hooked by the agent.
        public String getId() {
            return mAdvertisingId;
        }

        public boolean isLimitAdTrackingEnabled() {
            return mLimitAdTrackingEnabled;
        }

        @Override
        public String toString() {
            return "{" + mAdvertisingId + "}" + mLimitAdTrackingEnabled;
        }
    }
}
