package android.accounts;

/** Base of the account manager's checked exceptions. */
public class AccountsException extends Exception {
    public AccountsException() {}

    public AccountsException(String message) {
        super(message);
    }
}
