package android.content;

import android.database.Cursor;
import android.net.Uri;
import android.os.Bundle;
import android.os.CancellationSignal;
import android.os.RemoteException;

/** The app's access to content providers; ContextImpl supplies the provider lookup. */
public abstract class ContentResolver {
    public static final String SCHEME_CONTENT = "content";
    public static final String QUERY_ARG_SQL_SELECTION = "android:query-arg-sql-selection";
    public static final String QUERY_ARG_SQL_SELECTION_ARGS = "android:query-arg-sql-selection-args";
    public static final String QUERY_ARG_SQL_SORT_ORDER = "android:query-arg-sql-sort-order";

    private final Context mContext;

    public ContentResolver(Context context) {
        mContext = context;
    }

    /** Hidden on Android; ContextImpl's ApplicationContentResolver asks ActivityThread. */
    protected abstract IContentProvider acquireProvider(Context c, String name);

    /** Hidden on Android. */
    public abstract boolean releaseProvider(IContentProvider icp);

    /** Hidden on Android. */
    public final IContentProvider acquireProvider(String name) {
        return name == null ? null : acquireProvider(mContext, name);
    }

    /** Hidden on Android. */
    public final IContentProvider acquireProvider(Uri uri) {
        if (!SCHEME_CONTENT.equals(uri.getScheme())) {
            return null;
        }
        String auth = uri.getAuthority();
        return auth == null ? null : acquireProvider(mContext, auth);
    }

    public final ContentProviderClient acquireContentProviderClient(String name) {
        IContentProvider provider = acquireProvider(name);
        return provider == null ? null : new ContentProviderClient(this, provider, name, true);
    }

    /** Hidden on Android. */
    public int getUserId() {
        return mContext.getUserId();
    }

    // API 1–35. Hooked by the agent (all query overloads).
    public final Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder) {
        return query(uri, projection, selection, selectionArgs, sortOrder, null);
    }

    // API 16–35. Hooked by the agent.
    public final Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder,
            CancellationSignal cancellationSignal) {
        return query(uri, projection, createSqlQueryBundle(selection, selectionArgs, sortOrder), cancellationSignal);
    }

    // API 26–35. Hooked by the agent. Null when no provider has the authority, as on Android.
    public final Cursor query(Uri uri, String[] projection, Bundle queryArgs, CancellationSignal cancellationSignal) {
        IContentProvider provider = acquireProvider(uri);
        if (provider == null) {
            return null;
        }
        try {
            return provider.query(mContext.getOpPackageName(), uri, projection, queryArgs);
        } catch (RemoteException e) {
            return null;
        } finally {
            releaseProvider(provider);
        }
    }

    /** The Bundle form of SQL query arguments, or null when all are null (hidden, API 26–35). */
    public static Bundle createSqlQueryBundle(String selection, String[] selectionArgs, String sortOrder) {
        if (selection == null && selectionArgs == null && sortOrder == null) {
            return null;
        }
        Bundle queryArgs = new Bundle();
        if (selection != null) {
            queryArgs.putString(QUERY_ARG_SQL_SELECTION, selection);
        }
        if (selectionArgs != null) {
            queryArgs.putStringArray(QUERY_ARG_SQL_SELECTION_ARGS, selectionArgs);
        }
        if (sortOrder != null) {
            queryArgs.putString(QUERY_ARG_SQL_SORT_ORDER, sortOrder);
        }
        return queryArgs;
    }
}
