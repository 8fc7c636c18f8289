package android.content.pm;

/** Base of the manifest item infos: the item's class name and its package. */
public class PackageItemInfo {
    public String name;
    public String packageName;

    public PackageItemInfo() {}
}
