package com.clonespace.bed;

import android.content.pm.ApplicationInfo;
import android.content.pm.ProviderInfo;
import android.content.pm.Signature;
import android.os.Process;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The system side's knowledge of the one installed app (what PackageManagerService holds on a
 * phone), read from the bed properties file. The framework's binder proxies answer from here.
 * Keys: {@code package}; {@code application} (empty: android.app.Application); {@code classpath}
 * (File.pathSeparator list: the app's code, then applib); {@code providers}
 * ({@code class=auth;auth2|class2=auth3}, may be empty); {@code activity} (may be empty);
 * {@code data_dir}; {@code signatures} (comma-separated hex certificates); {@code permissions}
 * (comma-separated, the granted ones).
 */
public final class InstalledPackage {
    private static InstalledPackage sInstalled;

    public final ApplicationInfo appInfo;
    /** The manifest's providers, in manifest order. */
    public final List<ProviderInfo> providers;
    /** The launcher activity's class name, or null. */
    public final String launcherActivity;
    private final Signature[] signatures;
    private final Set<String> permissions;

    private InstalledPackage(Properties p) {
        appInfo = new ApplicationInfo();
        appInfo.packageName = required(p, "package");
        appInfo.className = emptyToNull(p.getProperty("application", ""));
        appInfo.dataDir = required(p, "data_dir");
        appInfo.uid = Process.myUid();
        List<String> code = split(p.getProperty("classpath", ""), File.pathSeparator);
        if (code.isEmpty()) {
            throw new IllegalArgumentException("bed properties: classpath is empty");
        }
        // The app's own code is the "base APK"; further entries (applib) ride as splits.
        appInfo.sourceDir = code.get(0);
        appInfo.splitSourceDirs = code.size() > 1 ? code.subList(1, code.size()).toArray(new String[0]) : null;
        providers = Collections.unmodifiableList(parseProviders(p.getProperty("providers", "")));
        launcherActivity = emptyToNull(p.getProperty("activity", ""));
        signatures = split(p.getProperty("signatures", ""), ",").stream().map(Signature::new).toArray(Signature[]::new);
        permissions = new HashSet<>(split(p.getProperty("permissions", ""), ","));
    }

    /** Reads the properties file and makes it the installed package. */
    public static InstalledPackage install(Path propertiesFile) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        sInstalled = new InstalledPackage(p);
        return sInstalled;
    }

    public static InstalledPackage get() {
        if (sInstalled == null) {
            throw new IllegalStateException("no package installed");
        }
        return sInstalled;
    }

    public String packageName() {
        return appInfo.packageName;
    }

    public Signature[] signatures() {
        return signatures.clone();
    }

    public boolean isGranted(String permission) {
        return permissions.contains(permission);
    }

    /** The provider that declares {@code authority} (one of its ';'-separated ones), or null. */
    public ProviderInfo provider(String authority) {
        for (ProviderInfo info : providers) {
            if (Arrays.asList(info.authority.split(";")).contains(authority)) {
                return info;
            }
        }
        return null;
    }

    private List<ProviderInfo> parseProviders(String spec) {
        List<ProviderInfo> out = new ArrayList<>();
        for (String entry : split(spec, "|")) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException("bed properties: bad provider entry " + entry);
            }
            ProviderInfo info = new ProviderInfo();
            info.name = entry.substring(0, eq).trim();
            info.authority = entry.substring(eq + 1).trim();
            info.packageName = appInfo.packageName;
            info.applicationInfo = appInfo;
            out.add(info);
        }
        return out;
    }

    private static String required(Properties p, String key) {
        String value = emptyToNull(p.getProperty(key, ""));
        if (value == null) {
            throw new IllegalArgumentException("bed properties: " + key + " is missing");
        }
        return value;
    }

    private static String emptyToNull(String s) {
        String t = s.trim();
        return t.isEmpty() ? null : t;
    }

    /** Non-empty trimmed pieces of {@code s} between occurrences of {@code separator}. */
    private static List<String> split(String s, String separator) {
        List<String> out = new ArrayList<>();
        for (String piece : s.split(Pattern.quote(separator))) {
            if (!piece.trim().isEmpty()) {
                out.add(piece.trim());
            }
        }
        return out;
    }
}
