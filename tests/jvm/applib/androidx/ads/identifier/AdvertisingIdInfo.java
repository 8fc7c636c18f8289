package androidx.ads.identifier;

/**
 * The advertising id as androidx reports it. As in androidx.ads (an AutoValue class) the
 * getters are abstract here and implemented by AutoValue_AdvertisingIdInfo, so a hook on
 * AdvertisingIdInfo.getId meets an abstract method, exactly as on a phone.
 */
public abstract class AdvertisingIdInfo {
    AdvertisingIdInfo() {}

    public abstract String getId();

    public abstract String getProviderPackageName();

    public abstract boolean isLimitAdTrackingEnabled();
}
