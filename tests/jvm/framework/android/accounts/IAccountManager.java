package android.accounts;

import android.os.Bundle;
import android.os.RemoteException;
import com.clonespace.bed.AccountsService;

/**
 * The account manager's AIDL interface (the methods the fakes use). The Proxy forwards to
 * {@link AccountsService}, which stands for system_server's AccountManagerService.
 */
public interface IAccountManager {
    Account[] getAccountsAsUser(String accountType, int userId, String opPackageName) throws RemoteException;

    Account[] getAccountsForPackage(String packageName, int uid, String opPackageName) throws RemoteException;

    Account[] getAccountsByTypeForPackage(String type, String packageName, String opPackageName) throws RemoteException;

    void getAccountsByFeatures(IAccountManagerResponse response, String accountType, String[] features,
            String opPackageName) throws RemoteException;

    boolean addAccountExplicitly(Account account, String password, Bundle extras) throws RemoteException;

    boolean removeAccountExplicitly(Account account) throws RemoteException;

    /** Binder stub; on a phone its subclass lives in system_server. */
    abstract class Stub implements IAccountManager {
        /** The client side. Its constructor stands for Stub.asInterface(ServiceManager.getService("account")). */
        public static class Proxy implements IAccountManager {
            public Proxy() {}

            // API 23–35. Hooked by the agent.
            @Override
            public Account[] getAccountsAsUser(String accountType, int userId, String opPackageName) {
                return AccountsService.accounts(accountType);
            }

            // API 23–35. Hooked by the agent.
            @Override
            public Account[] getAccountsForPackage(String packageName, int uid, String opPackageName) {
                return AccountsService.accounts(null);
            }

            // API 23–35. Hooked by the agent.
            @Override
            public Account[] getAccountsByTypeForPackage(String type, String packageName, String opPackageName) {
                return AccountsService.accounts(type);
            }

            /**
             * API 23–35. Hooked by the agent. Asynchronous on Android (the service answers the
             * response later); here the response gets the answer before this returns: a Bundle
             * with the accounts under "accounts". Features are not modelled: every account has
             * them all.
             */
            @Override
            public void getAccountsByFeatures(IAccountManagerResponse response, String accountType, String[] features,
                    String opPackageName) throws RemoteException {
                Bundle result = new Bundle();
                result.putParcelableArray(AccountManager.KEY_ACCOUNTS, AccountsService.accounts(accountType));
                response.onResult(result);
            }

            @Override
            public boolean addAccountExplicitly(Account account, String password, Bundle extras) {
                return AccountsService.add(account);
            }

            @Override
            public boolean removeAccountExplicitly(Account account) {
                return AccountsService.remove(account);
            }
        }
    }
}
