package android.os;

/** A user of the device; the bed has only user 0 (the owner). */
public final class UserHandle {
    /** Uids of user n are n * PER_USER_RANGE + app id. */
    public static final int PER_USER_RANGE = 100000;

    private final int mHandle;

    public UserHandle(int h) {
        mHandle = h;
    }

    public static UserHandle of(int userId) {
        return new UserHandle(userId);
    }

    public static int myUserId() {
        return Process.myUid() / PER_USER_RANGE;
    }

    public int getIdentifier() {
        return mHandle;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof UserHandle && ((UserHandle) obj).mHandle == mHandle;
    }

    @Override
    public int hashCode() {
        return mHandle;
    }
}
