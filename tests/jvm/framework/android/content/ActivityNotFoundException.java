package android.content;

/** API 1–35: thrown by startActivity when no activity answers the intent. */
public class ActivityNotFoundException extends RuntimeException {
    public ActivityNotFoundException() {}

    public ActivityNotFoundException(String name) {
        super(name);
    }
}
