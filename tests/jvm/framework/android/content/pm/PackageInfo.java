package android.content.pm;

/** What PackageManager.getPackageInfo answers; fields are filled according to the flags. */
public class PackageInfo {
    public String packageName;
    public ApplicationInfo applicationInfo;
    /** Set with {@link PackageManager#GET_SIGNATURES}. */
    public Signature[] signatures;
    /** Set with {@link PackageManager#GET_SIGNING_CERTIFICATES} (API 28+). */
    public SigningInfo signingInfo;

    public PackageInfo() {}
}
