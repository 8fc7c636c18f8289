package android.content.pm;

/** The {@code <application>} of an installed package. */
public class ApplicationInfo extends PackageItemInfo {
    /** The Application subclass ({@code android:name}), or null for android.app.Application. */
    public String className;
    public String dataDir;
    /** The base APK; here the app's translated code. */
    public String sourceDir;
    /** Split APKs, or null; here the further class path entries (applib). */
    public String[] splitSourceDirs;
    public int uid;

    public ApplicationInfo() {}
}
