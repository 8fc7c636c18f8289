package android.os;

import android.util.AndroidException;

/** A binder call failed; declared by the AIDL interfaces. */
public class RemoteException extends AndroidException {
    public RemoteException() {}
}
