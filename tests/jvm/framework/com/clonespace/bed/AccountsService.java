package com.clonespace.bed;

import android.accounts.Account;
import java.util.ArrayList;
import java.util.List;

/**
 * The device's account database (system_server's AccountManagerService): the real owner's
 * Google account plus whatever apps added during this run.
 */
public final class AccountsService {
    private static final List<Account> sAccounts = new ArrayList<>(List.of(new Account("real.owner@example.com", "com.google")));

    private AccountsService() {}

    /** The accounts of {@code type}, or all of them for null. */
    public static synchronized Account[] accounts(String type) {
        return sAccounts.stream().filter(a -> type == null || a.type.equals(type)).toArray(Account[]::new);
    }

    /** False when the account already exists. */
    public static synchronized boolean add(Account account) {
        if (sAccounts.contains(account)) {
            return false;
        }
        return sAccounts.add(account);
    }

    /** False when there was no such account. */
    public static synchronized boolean remove(Account account) {
        return sAccounts.remove(account);
    }
}
