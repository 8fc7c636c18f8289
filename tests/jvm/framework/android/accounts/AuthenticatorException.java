package android.accounts;

/** The authenticator failed. */
public class AuthenticatorException extends AccountsException {
    public AuthenticatorException() {}

    public AuthenticatorException(String message) {
        super(message);
    }
}
