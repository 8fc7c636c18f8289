package android.database;

import java.util.ArrayList;
import java.util.List;

/** An in-memory cursor built row by row (on Android it extends AbstractCursor). */
public class MatrixCursor implements Cursor {
    private final String[] mColumnNames;
    private final List<Object[]> mRows = new ArrayList<>();
    private int mPos = -1;
    private boolean mClosed;

    public MatrixCursor(String[] columnNames) {
        mColumnNames = columnNames.clone();
    }

    public void addRow(Object[] columnValues) {
        if (columnValues.length != mColumnNames.length) {
            throw new IllegalArgumentException("columnNames.length = " + mColumnNames.length
                    + ", columnValues.length = " + columnValues.length);
        }
        mRows.add(columnValues.clone());
    }

    public void addRow(Iterable<?> columnValues) {
        List<Object> values = new ArrayList<>();
        for (Object value : columnValues) {
            values.add(value);
        }
        addRow(values.toArray());
    }

    @Override
    public int getCount() {
        return mRows.size();
    }

    @Override
    public int getPosition() {
        return mPos;
    }

    @Override
    public boolean moveToPosition(int position) {
        mPos = Math.max(-1, Math.min(position, mRows.size()));
        return mPos >= 0 && mPos < mRows.size();
    }

    @Override
    public boolean moveToFirst() {
        return moveToPosition(0);
    }

    @Override
    public boolean moveToNext() {
        return moveToPosition(mPos + 1);
    }

    @Override
    public int getColumnCount() {
        return mColumnNames.length;
    }

    @Override
    public String[] getColumnNames() {
        return mColumnNames.clone();
    }

    @Override
    public int getColumnIndex(String columnName) {
        for (int i = 0; i < mColumnNames.length; i++) {
            if (mColumnNames[i].equalsIgnoreCase(columnName)) {
                return i;
            }
        }
        return -1;
    }

    private Object get(int column) {
        if (column < 0 || column >= mColumnNames.length) {
            throw new CursorIndexOutOfBoundsException("Requested column: " + column + ", # of columns: " + mColumnNames.length);
        }
        if (mPos < 0 || mPos >= mRows.size()) {
            throw new CursorIndexOutOfBoundsException("Index " + mPos + " requested, with a size of " + mRows.size());
        }
        return mRows.get(mPos)[column];
    }

    @Override
    public String getString(int columnIndex) {
        Object value = get(columnIndex);
        return value == null ? null : value.toString();
    }

    @Override
    public long getLong(int columnIndex) {
        Object value = get(columnIndex);
        if (value == null) {
            return 0;
        }
        return value instanceof Number ? ((Number) value).longValue() : Long.parseLong(value.toString());
    }

    @Override
    public boolean isNull(int columnIndex) {
        return get(columnIndex) == null;
    }

    @Override
    public boolean isClosed() {
        return mClosed;
    }

    @Override
    public void close() {
        mClosed = true;
    }
}
