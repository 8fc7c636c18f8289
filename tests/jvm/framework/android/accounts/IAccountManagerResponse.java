package android.accounts;

import android.os.Bundle;
import android.os.RemoteException;

/** Where the account service sends the answer of an asynchronous call (oneway AIDL). */
public interface IAccountManagerResponse {
    void onResult(Bundle value) throws RemoteException;

    void onError(int errorCode, String errorMessage) throws RemoteException;
}
