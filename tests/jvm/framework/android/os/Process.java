package android.os;

/** The current process's ids. The bed runs one app process. */
public class Process {
    public static final int SYSTEM_UID = 1000;
    public static final int FIRST_APPLICATION_UID = 10000;
    /** The uid the package manager gave the bed's one app. */
    private static final int APP_UID = FIRST_APPLICATION_UID + 100;

    public static int myPid() {
        return (int) ProcessHandle.current().pid();
    }

    public static int myUid() {
        return APP_UID;
    }
}
