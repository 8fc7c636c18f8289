package android.accounts;

/** Called with the future of an asynchronous AccountManager call once it is done. */
public interface AccountManagerCallback<V> {
    void run(AccountManagerFuture<V> future);
}
