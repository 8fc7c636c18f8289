package android.content;

import android.database.Cursor;
import android.net.Uri;
import android.os.Bundle;
import android.os.RemoteException;

/** A client's hold on a provider, from ContentResolver.acquireContentProviderClient. */
public class ContentProviderClient implements AutoCloseable {
    private final ContentResolver mContentResolver;
    private final IContentProvider mContentProvider;
    private final String mPackageName;
    private boolean mClosed;

    /** Hidden on Android; stable/unstable references are not distinguished here. */
    public ContentProviderClient(ContentResolver contentResolver, IContentProvider contentProvider, String authority,
            boolean stable) {
        mContentResolver = contentResolver;
        mContentProvider = contentProvider;
        mPackageName = authority;
    }

    public Cursor query(Uri url, String[] projection, String selection, String[] selectionArgs, String sortOrder)
            throws RemoteException {
        Bundle queryArgs = ContentResolver.createSqlQueryBundle(selection, selectionArgs, sortOrder);
        return mContentProvider.query(mPackageName, url, projection, queryArgs);
    }

    /** The provider object when it runs in this process, else null. */
    public ContentProvider getLocalContentProvider() {
        return ContentProvider.coerceToLocalContentProvider(mContentProvider);
    }

    // API 24–35.
    @Override
    public void close() {
        synchronized (this) {
            if (mClosed) {
                return;
            }
            mClosed = true;
        }
        mContentResolver.releaseProvider(mContentProvider);
    }

    /** Deprecated in API 24 for {@link #close()}. */
    @Deprecated
    public boolean release() {
        close();
        return true;
    }
}
