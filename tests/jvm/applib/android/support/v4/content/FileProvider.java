package android.support.v4.content;

import android.content.ContentProvider;
import android.content.ContentValues;
import android.content.Context;
import android.content.pm.PackageManager;
import android.content.pm.ProviderInfo;
import android.database.Cursor;
import android.net.Uri;
import java.io.File;
import java.io.IOException;

/**
 * The app's FileProvider (shipped in the app). Like the real one, getUriForFile looks the
 * authority up in the package manager and fails with IllegalArgumentException for an
 * authority no provider declares. The real one reads its roots from the provider's
 * meta-data XML; this one has one root, {@code <files-path name="files" path="."/>}.
 * Serving files is not modelled.
 */
public class FileProvider extends ContentProvider {
    private static final String ROOT_NAME = "files";

    public FileProvider() {}

    // Hooked by the agent (authority argument).
    public static Uri getUriForFile(Context context, String authority, File file) {
        ProviderInfo info = context.getPackageManager().resolveContentProvider(authority, PackageManager.GET_META_DATA);
        if (info == null) {
            throw new IllegalArgumentException("Couldn't find meta-data for provider with authority " + authority);
        }
        String root;
        String path;
        try {
            root = context.getFilesDir().getCanonicalPath();
            path = file.getCanonicalPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("Failed to resolve canonical path for " + file);
        }
        if (!path.startsWith(root + File.separator)) {
            throw new IllegalArgumentException("Failed to find configured root that contains " + path);
        }
        return Uri.parse("content://" + authority + "/" + ROOT_NAME + "/" + path.substring(root.length() + 1));
    }

    @Override
    public boolean onCreate() {
        return true;
    }

    @Override
    public Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs, String sortOrder) {
        throw new UnsupportedOperationException("serving files is not modelled");
    }

    @Override
    public String getType(Uri uri) {
        return "application/octet-stream";
    }

    @Override
    public Uri insert(Uri uri, ContentValues values) {
        throw new UnsupportedOperationException("No external inserts");
    }

    @Override
    public int delete(Uri uri, String selection, String[] selectionArgs) {
        throw new UnsupportedOperationException("serving files is not modelled");
    }

    @Override
    public int update(Uri uri, ContentValues values, String selection, String[] selectionArgs) {
        throw new UnsupportedOperationException("No external updates");
    }
}
