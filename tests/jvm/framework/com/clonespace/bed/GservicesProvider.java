package com.clonespace.bed;

import android.content.ContentProvider;
import android.content.ContentValues;
import android.database.Cursor;
import android.database.MatrixCursor;
import android.net.Uri;

/**
 * Google Services Framework's settings provider (content://com.google.android.gsf.gservices).
 * Its selection arguments are keys; it answers a (key, value) row per key, and the key
 * android_id holds the device's GSF id. Read-only.
 */
public final class GservicesProvider extends ContentProvider {
    public static final String AUTHORITY = "com.google.android.gsf.gservices";

    @Override
    public boolean onCreate() {
        return true;
    }

    @Override
    public Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder) {
        MatrixCursor cursor = new MatrixCursor(new String[] {"key", "value"});
        if (selectionArgs != null) {
            for (String key : selectionArgs) {
                cursor.addRow(new Object[] {key, "android_id".equals(key) ? Device.get("gsf_id") : null});
            }
        }
        return cursor;
    }

    @Override
    public String getType(Uri uri) {
        return null;
    }

    @Override
    public Uri insert(Uri uri, ContentValues values) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public int delete(Uri uri, String selection, String[] selectionArgs) {
        throw new UnsupportedOperationException("read-only");
    }

    @Override
    public int update(Uri uri, ContentValues values, String selection, String[] selectionArgs) {
        throw new UnsupportedOperationException("read-only");
    }
}
