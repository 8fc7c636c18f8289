package android.content.res;

/** Screen compatibility mode of a package; the bed only ever uses the default. */
public class CompatibilityInfo {
    public static final CompatibilityInfo DEFAULT_COMPATIBILITY_INFO = new CompatibilityInfo();

    private CompatibilityInfo() {}
}
