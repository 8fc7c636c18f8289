package android.content.pm;

/** A manifest component (activity, provider, ...) and the application it belongs to. */
public class ComponentInfo extends PackageItemInfo {
    public ApplicationInfo applicationInfo;

    public ComponentInfo() {}
}
