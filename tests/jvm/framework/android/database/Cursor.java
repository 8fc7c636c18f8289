package android.database;

import java.io.Closeable;

/** Rows of a query result, read through a moving position. */
public interface Cursor extends Closeable {
    int getCount();

    int getPosition();

    boolean moveToPosition(int position);

    boolean moveToFirst();

    boolean moveToNext();

    int getColumnCount();

    String[] getColumnNames();

    /** The index of {@code columnName}, or -1. */
    int getColumnIndex(String columnName);

    String getString(int columnIndex);

    long getLong(int columnIndex);

    boolean isNull(int columnIndex);

    boolean isClosed();

    @Override
    void close();
}
