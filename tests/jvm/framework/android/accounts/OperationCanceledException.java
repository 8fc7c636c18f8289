package android.accounts;

/** The account operation was canceled. */
public class OperationCanceledException extends AccountsException {
    public OperationCanceledException() {}
}
