package android.util;

/** Base of the framework's checked exceptions (NameNotFoundException, RemoteException). */
public class AndroidException extends Exception {
    public AndroidException() {}

    public AndroidException(String name) {
        super(name);
    }
}
