package android.content;

import android.content.pm.ProviderInfo;
import android.database.Cursor;
import android.net.Uri;
import android.os.Bundle;
import android.os.CancellationSignal;

/** Base of content providers; its Transport is the IContentProvider clients hold. */
public abstract class ContentProvider {
    private Context mContext;
    private final Transport mTransport = new Transport();

    /** The binder side of the provider; local clients get it from ActivityThread's provider map. */
    class Transport implements IContentProvider {
        ContentProvider getContentProvider() {
            return ContentProvider.this;
        }

        @Override
        public Cursor query(String callingPkg, Uri uri, String[] projection, Bundle queryArgs) {
            return ContentProvider.this.query(uri, projection, queryArgs, null);
        }
    }

    public ContentProvider() {}

    /** Hidden on Android. */
    public IContentProvider getIContentProvider() {
        return mTransport;
    }

    /** The provider behind a local IContentProvider, or null for a remote one (hidden). */
    public static ContentProvider coerceToLocalContentProvider(IContentProvider abstractInterface) {
        return abstractInterface instanceof Transport ? ((Transport) abstractInterface).getContentProvider() : null;
    }

    /**
     * Called once by ActivityThread.installProvider: records the context, then onCreate().
     * The info's permissions and flags are not modelled.
     */
    public void attachInfo(Context context, ProviderInfo info) {
        if (mContext == null) {
            mContext = context;
            onCreate();
        }
    }

    public final Context getContext() {
        return mContext;
    }

    public abstract boolean onCreate();

    public abstract Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder);

    // API 16–35.
    public Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder,
            CancellationSignal cancellationSignal) {
        return query(uri, projection, selection, selectionArgs, sortOrder);
    }

    // API 26–35.
    public Cursor query(Uri uri, String[] projection, Bundle queryArgs, CancellationSignal cancellationSignal) {
        Bundle args = queryArgs != null ? queryArgs : Bundle.EMPTY;
        return query(uri, projection,
                args.getString(ContentResolver.QUERY_ARG_SQL_SELECTION),
                args.getStringArray(ContentResolver.QUERY_ARG_SQL_SELECTION_ARGS),
                args.getString(ContentResolver.QUERY_ARG_SQL_SORT_ORDER),
                cancellationSignal);
    }

    public abstract String getType(Uri uri);

    public abstract Uri insert(Uri uri, ContentValues values);

    public abstract int delete(Uri uri, String selection, String[] selectionArgs);

    public abstract int update(Uri uri, ContentValues values, String selection, String[] selectionArgs);
}
