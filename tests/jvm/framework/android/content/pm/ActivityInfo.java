package android.content.pm;

/** An {@code <activity>}; only the inherited class name, package and application are modelled. */
public class ActivityInfo extends ComponentInfo {
    public ActivityInfo() {}
}
