package androidx.ads.identifier;

/** The generated value class behind AdvertisingIdInfo. */
final class AutoValue_AdvertisingIdInfo extends AdvertisingIdInfo {
    private final String id;
    private final String providerPackageName;
    private final boolean limitAdTrackingEnabled;

    AutoValue_AdvertisingIdInfo(String id, String providerPackageName, boolean limitAdTrackingEnabled) {
        this.id = id;
        this.providerPackageName = providerPackageName;
        this.limitAdTrackingEnabled = limitAdTrackingEnabled;
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public String getProviderPackageName() {
        return providerPackageName;
    }

    @Override
    public boolean isLimitAdTrackingEnabled() {
        return limitAdTrackingEnabled;
    }
}
