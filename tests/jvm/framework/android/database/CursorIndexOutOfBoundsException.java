package android.database;

/** A cursor read outside its rows or columns. */
public class CursorIndexOutOfBoundsException extends IndexOutOfBoundsException {
    public CursorIndexOutOfBoundsException(String message) {
        super(message);
    }
}
