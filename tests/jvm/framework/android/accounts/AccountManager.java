package android.accounts;

import android.content.Context;
import android.os.Bundle;
import android.os.Handler;
import android.os.Parcelable;
import android.os.RemoteException;
import android.os.UserHandle;
import java.util.concurrent.TimeUnit;

/** The "account" system service: the app-side API over IAccountManager. */
public class AccountManager {
    /** The Bundle key of an Account[] answer. */
    public static final String KEY_ACCOUNTS = "accounts";

    private final Context mContext;
    private final IAccountManager mService;

    /** Hidden on Android; made by ContextImpl.getSystemService. */
    public AccountManager(Context context, IAccountManager service) {
        mContext = context;
        mService = service;
    }

    // API 5–35.
    public static AccountManager get(Context context) {
        if (context == null) {
            throw new IllegalArgumentException("context is null");
        }
        return (AccountManager) context.getSystemService(Context.ACCOUNT_SERVICE);
    }

    // API 5–35. Hooked by the agent.
    public Account[] getAccounts() {
        return getAccountsAsUser(mContext.getUserId());
    }

    // API 17–35 (hidden). Hooked by the agent.
    public Account[] getAccountsAsUser(int userId) {
        try {
            return mService.getAccountsAsUser(null, userId, mContext.getOpPackageName());
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }

    // API 5–35. Hooked by the agent.
    public Account[] getAccountsByType(String type) {
        return getAccountsByTypeAsUser(type, mContext.getUser());
    }

    // API 17–35 (hidden). Hooked by the agent.
    public Account[] getAccountsByTypeAsUser(String type, UserHandle userHandle) {
        try {
            return mService.getAccountsAsUser(type, userHandle.getIdentifier(), mContext.getOpPackageName());
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }

    // API 18–35. Hooked by the agent.
    public Account[] getAccountsByTypeForPackage(String type, String packageName) {
        try {
            return mService.getAccountsByTypeForPackage(type, packageName, mContext.getOpPackageName());
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }

    /**
     * API 5–35. Not hooked itself: it reaches IAccountManager.getAccountsByFeatures, whose
     * response completes the returned future. The callback, if any, runs on the caller's
     * thread once the future is done (the bed has no Looper for the handler).
     */
    public AccountManagerFuture<Account[]> getAccountsByTypeAndFeatures(String type, String[] features,
            AccountManagerCallback<Account[]> callback, Handler handler) {
        if (type == null) {
            throw new IllegalArgumentException("type is null");
        }
        Future2Task task = new Future2Task();
        try {
            mService.getAccountsByFeatures(task.mResponse, type, features, mContext.getOpPackageName());
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
        if (callback != null && task.isDone()) {
            callback.run(task);
        }
        return task;
    }

    // API 5–35. Hooked by the agent.
    public boolean addAccountExplicitly(Account account, String password, Bundle userdata) {
        if (account == null) {
            throw new IllegalArgumentException("account is null");
        }
        try {
            return mService.addAccountExplicitly(account, password, userdata);
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }

    // API 22–35. Hooked by the agent.
    public boolean removeAccountExplicitly(Account account) {
        if (account == null) {
            throw new IllegalArgumentException("account is null");
        }
        try {
            return mService.removeAccountExplicitly(account);
        } catch (RemoteException e) {
            throw new RuntimeException(e);
        }
    }

    /** AOSP's Future2Task for an Account[] answer: done when the service's response arrives. */
    private static final class Future2Task implements AccountManagerFuture<Account[]> {
        final IAccountManagerResponse mResponse = new Response();
        private Account[] mResult;
        private AuthenticatorException mError;
        private boolean mDone;

        private final class Response implements IAccountManagerResponse {
            @Override
            public void onResult(Bundle bundle) {
                synchronized (Future2Task.this) {
                    Parcelable[] parcelables = bundle == null ? null : bundle.getParcelableArray(KEY_ACCOUNTS);
                    if (parcelables == null) {
                        mError = new AuthenticatorException("no result in response");
                    } else {
                        mResult = new Account[parcelables.length];
                        for (int i = 0; i < parcelables.length; i++) {
                            mResult[i] = (Account) parcelables[i];
                        }
                    }
                    mDone = true;
                }
            }

            @Override
            public void onError(int errorCode, String errorMessage) {
                synchronized (Future2Task.this) {
                    mError = new AuthenticatorException(errorMessage);
                    mDone = true;
                }
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public synchronized boolean isDone() {
            return mDone;
        }

        /** Waiting is impossible on the bed's one thread: an unanswered call fails as on a main thread. */
        @Override
        public synchronized Account[] getResult() throws AuthenticatorException {
            if (!mDone) {
                throw new IllegalStateException("calling this from your main thread can lead to deadlock");
            }
            if (mError != null) {
                throw mError;
            }
            return mResult;
        }

        @Override
        public Account[] getResult(long timeout, TimeUnit unit) throws AuthenticatorException {
            return getResult();
        }
    }
}
