package android.content.pm;

/** A {@code <provider>}: {@code name} is its class, {@code authority} its ';'-separated authorities. */
public final class ProviderInfo extends ComponentInfo {
    public String authority;

    public ProviderInfo() {}
}
