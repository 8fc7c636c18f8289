.class public final Lcom/clonespace/probe/Probe;
.super Ljava/lang/Object;
.source "Probe.smali"

# What the app sees of its own identity and storage, as one JSON object, logged with
# tag clonespace-probe. Each value is read in its own method under its own catch: a value
# that throws is "error:" and the exception's class name, a null one is JSON null.


.method public static report(Ljava/lang/String;Landroid/content/Context;)Ljava/lang/String;
    .registers 5
    # p0: the step that reports, p1: its context; v0: the JSON object, v1: a key, v2: its value

    new-instance v0, Lorg/json/JSONObject;
    invoke-direct {v0}, Lorg/json/JSONObject;-><init>()V

    const-string v1, "step"
    invoke-static {v0, v1, p0}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "package"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->packageName(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "data_dir"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->dataDir(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "android_id"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->androidId(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "serial"
    invoke-static {}, Lcom/clonespace/probe/Probe;->serial()Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "build_serial"
    invoke-static {}, Lcom/clonespace/probe/Probe;->buildSerial()Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "model"
    invoke-static {}, Lcom/clonespace/probe/Probe;->model()Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "imei"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->imei(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "wifi_mac"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->wifiMac(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "bt_mac"
    invoke-static {}, Lcom/clonespace/probe/Probe;->bluetoothMac()Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "accounts"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->accounts(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "signature"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->signature(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    const-string v1, "own_provider"
    invoke-static {p1}, Lcom/clonespace/probe/Probe;->ownProvider(Landroid/content/Context;)Ljava/lang/String;
    move-result-object v2
    invoke-static {v0, v1, v2}, Lcom/clonespace/probe/Probe;->put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V

    invoke-virtual {v0}, Lorg/json/JSONObject;->toString()Ljava/lang/String;
    move-result-object v1
    const-string v2, "clonespace-probe"
    invoke-static {v2, v1}, Landroid/util/Log;->i(Ljava/lang/String;Ljava/lang/String;)I

    return-object v1
.end method

.method private static put(Lorg/json/JSONObject;Ljava/lang/String;Ljava/lang/String;)V
    .registers 4
    # a null value is stored as JSONObject.NULL (put with null would remove the key)

    move-object v0, p2
    if-nez v0, :put
    sget-object v0, Lorg/json/JSONObject;->NULL:Ljava/lang/Object;

    :put
    invoke-virtual {p0, p1, v0}, Lorg/json/JSONObject;->put(Ljava/lang/String;Ljava/lang/Object;)Lorg/json/JSONObject;

    return-void
.end method

.method private static error(Ljava/lang/Throwable;)Ljava/lang/String;
    .registers 3

    const-string v0, "error:"
    invoke-virtual {p0}, Ljava/lang/Object;->getClass()Ljava/lang/Class;
    move-result-object v1
    invoke-virtual {v1}, Ljava/lang/Class;->getName()Ljava/lang/String;
    move-result-object v1
    invoke-virtual {v0, v1}, Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0

    return-object v0
.end method

.method private static packageName(Landroid/content/Context;)Ljava/lang/String;
    .registers 2

    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static dataDir(Landroid/content/Context;)Ljava/lang/String;
    .registers 2

    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getApplicationInfo()Landroid/content/pm/ApplicationInfo;
    move-result-object v0
    iget-object v0, v0, Landroid/content/pm/ApplicationInfo;->dataDir:Ljava/lang/String;
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static androidId(Landroid/content/Context;)Ljava/lang/String;
    .registers 3

    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getContentResolver()Landroid/content/ContentResolver;
    move-result-object v0
    const-string v1, "android_id"
    invoke-static {v0, v1}, Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static serial()Ljava/lang/String;
    .registers 1
    # Build.getSerial() is API 26: on 24 and 25 this is error:java.lang.NoSuchMethodError

    :try_start
    invoke-static {}, Landroid/os/Build;->getSerial()Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static buildSerial()Ljava/lang/String;
    .registers 1

    :try_start
    sget-object v0, Landroid/os/Build;->SERIAL:Ljava/lang/String;
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static model()Ljava/lang/String;
    .registers 1

    :try_start
    sget-object v0, Landroid/os/Build;->MODEL:Ljava/lang/String;
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static imei(Landroid/content/Context;)Ljava/lang/String;
    .registers 2
    # TelephonyManager.getImei() is API 26, like Build.getSerial()

    :try_start
    const-string v0, "phone"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/telephony/TelephonyManager;
    invoke-virtual {v0}, Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static wifiMac(Landroid/content/Context;)Ljava/lang/String;
    .registers 2

    :try_start
    const-string v0, "wifi"
    invoke-virtual {p0, v0}, Landroid/content/Context;->getSystemService(Ljava/lang/String;)Ljava/lang/Object;
    move-result-object v0
    check-cast v0, Landroid/net/wifi/WifiManager;
    invoke-virtual {v0}, Landroid/net/wifi/WifiManager;->getConnectionInfo()Landroid/net/wifi/WifiInfo;
    move-result-object v0
    invoke-virtual {v0}, Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static bluetoothMac()Ljava/lang/String;
    .registers 1

    :try_start
    invoke-static {}, Landroid/bluetooth/BluetoothAdapter;->getDefaultAdapter()Landroid/bluetooth/BluetoothAdapter;
    move-result-object v0
    invoke-virtual {v0}, Landroid/bluetooth/BluetoothAdapter;->getAddress()Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static accounts(Landroid/content/Context;)Ljava/lang/String;
    .registers 7
    # "type:name" of every account, joined with ","
    # v0: the accounts, v1: their number, v2: the index, v3: the text, v4: an account, v5: a part

    :try_start
    invoke-static {p0}, Landroid/accounts/AccountManager;->get(Landroid/content/Context;)Landroid/accounts/AccountManager;
    move-result-object v0
    invoke-virtual {v0}, Landroid/accounts/AccountManager;->getAccounts()[Landroid/accounts/Account;
    move-result-object v0
    array-length v1, v0
    const/4 v2, 0x0
    new-instance v3, Ljava/lang/StringBuilder;
    invoke-direct {v3}, Ljava/lang/StringBuilder;-><init>()V

    :next
    if-ge v2, v1, :joined
    if-eqz v2, :first
    const-string v5, ","
    invoke-virtual {v3, v5}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;

    :first
    aget-object v4, v0, v2
    iget-object v5, v4, Landroid/accounts/Account;->type:Ljava/lang/String;
    invoke-virtual {v3, v5}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    const-string v5, ":"
    invoke-virtual {v3, v5}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    iget-object v5, v4, Landroid/accounts/Account;->name:Ljava/lang/String;
    invoke-virtual {v3, v5}, Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;
    add-int/lit8 v2, v2, 0x1
    goto :next

    :joined
    invoke-virtual {v3}, Ljava/lang/StringBuilder;->toString()Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static signature(Landroid/content/Context;)Ljava/lang/String;
    .registers 4
    # the first signing certificate, as PackageManager.GET_SIGNATURES (64) gives it

    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v0
    invoke-virtual {p0}, Landroid/content/Context;->getPackageName()Ljava/lang/String;
    move-result-object v1
    const/16 v2, 0x40
    invoke-virtual {v0, v1, v2}, Landroid/content/pm/PackageManager;->getPackageInfo(Ljava/lang/String;I)Landroid/content/pm/PackageInfo;
    move-result-object v0
    iget-object v0, v0, Landroid/content/pm/PackageInfo;->signatures:[Landroid/content/pm/Signature;
    const/4 v1, 0x0
    aget-object v0, v0, v1
    invoke-virtual {v0}, Landroid/content/pm/Signature;->toCharsString()Ljava/lang/String;
    move-result-object v0
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method

.method private static ownProvider(Landroid/content/Context;)Ljava/lang/String;
    .registers 4
    # "found" when the package manager resolves the authority com.clonespace.probe.provider,
    # else "missing". A query, not acquireContentProviderClient: acquiring the app's own
    # provider before it is published (in attachBaseContext, in its own onCreate) would make
    # the system create a second instance of it in this process.

    :try_start
    invoke-virtual {p0}, Landroid/content/Context;->getPackageManager()Landroid/content/pm/PackageManager;
    move-result-object v0
    const-string v1, "com.clonespace.probe.provider"
    const/4 v2, 0x0
    invoke-virtual {v0, v1, v2}, Landroid/content/pm/PackageManager;->resolveContentProvider(Ljava/lang/String;I)Landroid/content/pm/ProviderInfo;
    move-result-object v0
    if-eqz v0, :missing
    :try_end
    .catch Ljava/lang/Throwable; {:try_start .. :try_end} :failed

    const-string v0, "found"
    return-object v0

    :missing
    const-string v0, "missing"
    return-object v0

    :failed
    move-exception v0
    invoke-static {v0}, Lcom/clonespace/probe/Probe;->error(Ljava/lang/Throwable;)Ljava/lang/String;
    move-result-object v0
    return-object v0
.end method
