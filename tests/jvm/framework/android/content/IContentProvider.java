package android.content;

import android.database.Cursor;
import android.net.Uri;
import android.os.Bundle;
import android.os.RemoteException;

/**
 * The binder interface of a content provider (hidden). Reduced to query, in the API 26–29
 * shape minus the cancellation-signal transport (API 30+ add attribution arguments).
 */
public interface IContentProvider {
    Cursor query(String callingPkg, Uri url, String[] projection, Bundle queryArgs) throws RemoteException;
}
